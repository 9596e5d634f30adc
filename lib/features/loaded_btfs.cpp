// SPDX-License-Identifier: MIT
// The kernel's BTF objects: enumeration by BPF_BTF_GET_NEXT_ID, info and raw types by id.
#include <ebpf/kernel_btf.hpp>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"

namespace ebpf {

using detail::format;

namespace {

Result<UniqueFd> open_loaded_btf(std::uint32_t id) {
    auto fd = sys::get_fd_by_id(sys::Cmd::BtfGetFdById, id);
    if (!fd) {
        if (fd.error().sys_errno() == ENOENT)
            return Error(Errc::NotFound, format("open BTF object id %u: no such BTF object", id));
        return std::move(fd).error().context(format("open BTF object id %u", id));
    }
    return std::move(*fd);
}

Result<BtfInfo> loaded_btf_info_of(int fd, std::uint32_t id) {
    char name[64] = {};
    sys::BtfInfoRaw raw{};
    raw.name = sys::ptr_to_u64(name);
    raw.name_len = sizeof name;
    std::uint32_t len = sizeof raw;
    auto got = sys::obj_get_info_by_fd(fd, &raw, len);
    if (!got && got.error().sys_errno() == E2BIG) {
        // Before 5.11 bpf_btf_info ends after `id` (no name, name_len, kernel_btf) and the kernel refuses non-zero
        // fields it does not know with E2BIG: ask for the old struct; the name stays empty.
        sys::BtfInfoRaw old{};
        len = static_cast<std::uint32_t>(offsetof(sys::BtfInfoRaw, name));
        got = sys::obj_get_info_by_fd(fd, &old, len);
        raw = old;
    }
    EBPF_TRY(std::move(got).context(format("BTF object id %u: info", id)));
    BtfInfo i;
    i.id = raw.id;
    i.size = raw.btf_size;
    i.kernel_btf = raw.kernel_btf != 0;
    i.name.assign(name, strnlen(name, sizeof name));
    return i;
}

}  // namespace

Result<std::vector<std::uint32_t>> loaded_btf_ids() {
    std::vector<std::uint32_t> ids;
    std::uint32_t id = 0;
    for (;;) {
        auto next = sys::get_next_id(sys::Cmd::BtfGetNextId, id);
        if (!next) return std::move(next).error().context("list loaded BTF objects");
        if (!*next) break;
        id = **next;
        ids.push_back(id);
    }
    return ids;
}

Result<std::vector<BtfInfo>> loaded_btfs() {
    EBPF_TRY_ASSIGN(const std::vector<std::uint32_t> ids, loaded_btf_ids());
    std::vector<BtfInfo> out;
    out.reserve(ids.size());
    for (const std::uint32_t id : ids) {
        auto fd = sys::get_fd_by_id(sys::Cmd::BtfGetFdById, id);
        if (!fd) {
            if (fd.error().sys_errno() == ENOENT) continue;  // freed since it was listed
            return std::move(fd).error().context(format("list loaded BTF objects: open id %u", id));
        }
        EBPF_TRY_ASSIGN(BtfInfo info, loaded_btf_info_of(fd->get(), id));
        out.push_back(std::move(info));
    }
    return out;
}

Result<BtfInfo> loaded_btf_info(std::uint32_t id) {
    EBPF_TRY_ASSIGN(UniqueFd fd, open_loaded_btf(id));
    return loaded_btf_info_of(fd.get(), id);
}

Result<btf::Spec> loaded_btf_spec(std::uint32_t id) {
    EBPF_TRY_ASSIGN(UniqueFd fd, open_loaded_btf(id));
    EBPF_TRY_ASSIGN(const BtfInfo info, loaded_btf_info_of(fd.get(), id));
    auto bytes = sys::btf_bytes(fd.get(), info.size);
    if (!bytes) return std::move(bytes).error().context(format("BTF object id %u: read its types", id));
    const btf::Spec* base = nullptr;
    std::shared_ptr<const KernelBtf> kernel;
    if (info.kernel_btf && info.name != "vmlinux") {
        // Module BTF continues vmlinux's type ids and strings.
        EBPF_TRY_ASSIGN(kernel, KernelBtf::running());
        base = &kernel->vmlinux();
    }
    auto spec = btf::Spec::parse(std::span<const std::byte>(*bytes), base);
    if (!spec) return std::move(spec).error().context(format("BTF object id %u (%s)", id, info.name.c_str()));
    return std::move(*spec);
}

}  // namespace ebpf
