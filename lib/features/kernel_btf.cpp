// SPDX-License-Identifier: MIT
// Kernel BTF: vmlinux mapped (or read) once per process; module BTF and module BTF fds on demand.
#include <ebpf/kernel_btf.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "base/format.hpp"
#include "base/index_sort.hpp"
#include "base/try.hpp"
#include "elf/file.hpp"
#include "sys/bpf.hpp"
#include "sys/file.hpp"
#include "sys/info.hpp"
#include "sys/mmap.hpp"
#include "sys/proc.hpp"

namespace ebpf {

using detail::format;
using detail::stable_sort_indices;

namespace {

constexpr const char* kVmlinux = "/sys/kernel/btf/vmlinux";

// Maps a file read-only; nullopt when the file system does not support mmap (sysfs BTF before 6.16).
std::optional<SharedBytes> map_file(const char* path) {
    auto m = sys::map_file_read_only(path);
    if (!m) return std::nullopt;
    auto owner = std::shared_ptr<void>(m->addr, [size = m->length](void* q) { sys::munmap(q, size); });
    return SharedBytes(std::span<const std::byte>(static_cast<const std::byte*>(m->addr), m->length), std::move(owner));
}

Result<SharedBytes> read_btf_file(const char* path) {
    if (auto mapped = map_file(path)) return std::move(*mapped);
    auto bytes = sys::read_file(path);
    if (!bytes) return std::move(bytes).error();
    return SharedBytes(std::move(*bytes));
}

std::vector<std::string> list_modules() {
    std::vector<std::string> out;
    auto names = sys::list_dir("/sys/kernel/btf");
    if (!names) return out;  // no BTF directory: no modules to search
    for (std::string& n : *names)
        if (n != "vmlinux") out.push_back(std::move(n));
    std::vector<std::uint32_t> order(out.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
    stable_sort_indices(order, [&](std::uint32_t a, std::uint32_t b) { return out[a] < out[b]; });
    std::vector<std::string> sorted;
    sorted.reserve(out.size());
    for (const std::uint32_t i : order) sorted.push_back(std::move(out[i]));
    return sorted;
}

}  // namespace

struct KernelBtf::State {
    std::mutex mu;
    std::map<std::string, std::unique_ptr<btf::Spec>, std::less<>> modules;
    // Module name -> kernel BTF object id, from one walk over the kernel's BTF objects. The fds handed out are owned
    // by their users (programs that load with them): the cache only remembers them, so this process-wide object keeps
    // no fd open (one per loaded module before; found by tools/matrix's fd-leak checks in VMs with modules).
    std::map<std::string, std::uint32_t, std::less<>> module_btf_ids;
    std::map<std::string, std::weak_ptr<const UniqueFd>, std::less<>> module_fds;
    bool module_fds_scanned = false;
};

KernelBtf::KernelBtf(btf::Spec vmlinux, bool running)
    : vmlinux_(std::move(vmlinux)), running_(running), state_(std::make_unique<State>()) {}
KernelBtf::~KernelBtf() = default;

Result<std::shared_ptr<const KernelBtf>> KernelBtf::load_running() {
    auto bytes = read_btf_file(kVmlinux);
    if (!bytes) {
        if (bytes.error().code() == Errc::NotFound)
            return Error(Errc::NotSupported,
                         "this kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing): CO-RE, kfuncs and "
                         "BTF-attached programs need it; build the kernel with CONFIG_DEBUG_INFO_BTF=y, or give a BTF "
                         "file for this kernel (e.g. from BTFHub) with LoadOptions::target_btf");
        return std::move(bytes).error().context("read kernel BTF");
    }
    auto spec = btf::Spec::parse(std::move(*bytes));
    if (!spec) return std::move(spec).error().context(kVmlinux);
    auto k = std::shared_ptr<KernelBtf>(new KernelBtf(std::move(*spec), true));
    k->module_names_ = list_modules();
    return std::shared_ptr<const KernelBtf>(std::move(k));
}

Result<std::shared_ptr<const KernelBtf>> KernelBtf::running() {
    // Parsed once per process: every object loaded afterwards shares it (and its lazily built name index).
    static std::once_flag once;
    static std::optional<Result<std::shared_ptr<const KernelBtf>>> cached;
    std::call_once(once, [] { cached.emplace(load_running()); });
    return *cached;
}

namespace {

// The BTF of a file: raw BTF as it is, or an ELF file's .BTF section. Read errors get `read_context` (may be null).
// Read, not mapped: a user's file may be truncated while in use (a mapped one would then fault).
Result<btf::Spec> btf_of_file(const char* path, const btf::Spec* base, const char* read_context) {
    auto bytes = sys::read_file(path);
    if (!bytes) return read_context ? std::move(bytes).error().context(read_context) : std::move(bytes).error();
    SharedBytes blob;
    if (auto elf = elf::File::parse(*bytes)) {
        const elf::Section* s = elf->find_section(".BTF");
        if (!s) return Error(Errc::NotFound, format("%s: ELF file without a .BTF section", path));
        blob = SharedBytes::copy(s->data);
    } else {
        blob = SharedBytes(std::move(*bytes));
    }
    auto spec = btf::Spec::parse(std::move(blob), base);
    if (!spec) return std::move(spec).error().context(path);
    return spec;
}

}  // namespace

Result<btf::Spec> btf_from_file(const char* path, const btf::Spec* base) { return btf_of_file(path, base, nullptr); }

Result<std::shared_ptr<const KernelBtf>> KernelBtf::from_file(const char* path) {
    EBPF_TRY_ASSIGN(btf::Spec spec, btf_of_file(path, nullptr, "read target BTF"));
    return std::shared_ptr<const KernelBtf>(new KernelBtf(std::move(spec), false));
}

std::shared_ptr<const KernelBtf> KernelBtf::from_spec(btf::Spec vmlinux) {
    return std::shared_ptr<const KernelBtf>(new KernelBtf(std::move(vmlinux), false));
}

Result<const btf::Spec*> KernelBtf::module(std::string_view name) const {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (auto it = state_->modules.find(name); it != state_->modules.end()) return it->second.get();
    if (std::find(module_names_.begin(), module_names_.end(), name) == module_names_.end())
        return Error(Errc::NotFound, format("kernel module '%.*s' has no BTF", EBPF_SV(name)));
    const std::string path = "/sys/kernel/btf/" + std::string(name);
    auto bytes = sys::read_file(path.c_str());
    if (!bytes) return std::move(bytes).error();
    auto spec = btf::Spec::parse(SharedBytes(std::move(*bytes)), &vmlinux_);
    if (!spec) return std::move(spec).error().context(path);
    auto& slot = state_->modules[std::string(name)];
    slot = std::make_unique<btf::Spec>(std::move(*spec));
    return slot.get();
}

Result<std::vector<std::pair<std::string, const btf::Spec*>>> KernelBtf::all_modules() const {
    std::vector<std::pair<std::string, const btf::Spec*>> out;
    for (const std::string& n : module_names_) {
        EBPF_TRY_ASSIGN(const btf::Spec* s, module(n));
        out.emplace_back(n, s);
    }
    return out;
}

Result<std::shared_ptr<const UniqueFd>> KernelBtf::module_fd(std::string_view name) const {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (auto it = state_->module_fds.find(name); it != state_->module_fds.end())
        if (auto fd = it->second.lock()) return fd;
    if (!running_) return Error(Errc::NotSupported, "module BTF fds exist only for the running kernel");
    // The name of a kernel BTF object ("" if it is not one).
    auto name_of = [](int fd) {
        char buf[64] = {};
        sys::BtfInfoRaw info{};
        info.name = sys::ptr_to_u64(buf);
        info.name_len = sizeof buf;
        std::uint32_t len = sizeof info;
        if (!sys::obj_get_info_by_fd(fd, &info, len) || !info.kernel_btf) return std::string();
        return std::string(buf, strnlen(buf, sizeof buf));
    };
    // Walks the kernel's BTF objects, remembering every module's id; this needs CAP_SYS_ADMIN.
    auto scan = [&]() -> Result<void> {
        state_->module_fds_scanned = true;
        state_->module_btf_ids.clear();
        std::uint32_t id = 0;
        for (;;) {
            auto next = sys::get_next_id(sys::Cmd::BtfGetNextId, id);
            if (!next) return std::move(next).error().context("list kernel BTF objects");
            if (!*next) return {};
            id = **next;
            auto fd = sys::get_fd_by_id(sys::Cmd::BtfGetFdById, id);
            if (!fd) continue;  // freed meanwhile
            const std::string n = name_of(fd->get());
            if (!n.empty() && n != "vmlinux") state_->module_btf_ids.emplace(n, id);
        }
    };
    if (!state_->module_fds_scanned) EBPF_TRY(scan());
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto it = state_->module_btf_ids.find(name);
        if (it != state_->module_btf_ids.end()) {
            auto fd = sys::get_fd_by_id(sys::Cmd::BtfGetFdById, it->second);
            // The module may have been unloaded (and loaded again, with a new id) since the walk.
            if (fd && name_of(fd->get()) == name) {
                auto shared = std::make_shared<const UniqueFd>(std::move(*fd));
                state_->module_fds[std::string(name)] = shared;
                return shared;
            }
        }
        if (attempt == 0) EBPF_TRY(scan());
    }
    return Error(Errc::NotFound, format("no kernel BTF object for module '%.*s'", EBPF_SV(name)));
}

}  // namespace ebpf
