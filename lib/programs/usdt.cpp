// SPDX-License-Identifier: MIT
// Usdt: BPF_USDT() programs on the sites of a USDT probe, with the argument specs usdt.bpf.h reads.
#include <ebpf/programs/usdt.hpp>

#include <map>

#include "base/format.hpp"
#include "links/uprobe.hpp"
#include "object/usdt_args.hpp"
#include "programs/uprobe_target.hpp"
#include "programs/usdt_specs.hpp"
#include "sys/proc_maps.hpp"

namespace ebpf {

using detail::format;

namespace usdt_view_impl {
namespace {

// The architecture whose struct pt_regs BPF programs here see.
#if defined(__x86_64__)
constexpr std::optional<detail::UsdtArch> kNativeArch = detail::UsdtArch::X86_64;
#elif defined(__aarch64__)
constexpr std::optional<detail::UsdtArch> kNativeArch = detail::UsdtArch::Aarch64;
#elif defined(__arm__)
constexpr std::optional<detail::UsdtArch> kNativeArch = detail::UsdtArch::Arm;
#elif defined(__riscv) && __riscv_xlen == 64
constexpr std::optional<detail::UsdtArch> kNativeArch = detail::UsdtArch::Riscv64;
#else
constexpr std::optional<detail::UsdtArch> kNativeArch = std::nullopt;
#endif

std::string_view usdt_basename(std::string_view p) {
    const auto slash = p.rfind('/');
    return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

// Where process `pid` has file offset `offset` of the file (an executable mapping of it). The mapping is found by
// device and inode (what /proc/PID/maps lists), else by path (maps names files by their canonical path), else by
// file name (a path given through a symbolic link), else by inode alone (overlay file systems may show another
// device).
Result<std::uint64_t> absolute_address(const std::vector<sys::MemoryMapping>& maps, const std::string& path,
                                       const sys::FileId& id, std::uint64_t offset, int pid) {
    for (int pass = 0; pass < 4; ++pass) {
        for (const sys::MemoryMapping& m : maps) {
            if (!m.exec || m.path.empty()) continue;
            bool same = false;
            switch (pass) {
            case 0: same = id.known && m.inode == id.inode && m.dev_major == id.dev_major && m.dev_minor == id.dev_minor; break;
            case 1: same = m.path == path; break;
            case 2: same = usdt_basename(m.path) == usdt_basename(path); break;
            default: same = id.known && m.inode == id.inode; break;
            }
            if (same && offset >= m.offset && offset - m.offset < m.end - m.start) return m.start + (offset - m.offset);
        }
    }
    return Error(Errc::NotFound, format("%s (file offset 0x%llx) is not mapped executable in pid %d", path.c_str(),
                                        static_cast<unsigned long long>(offset), pid));
}

std::string list_probes(const std::vector<detail::UsdtSite>& sites) {
    std::vector<std::string> names;
    for (const auto& s : sites) {
        std::string n = s.provider + ":" + s.name;
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(std::move(n));
    }
    if (names.empty()) return "it has no USDT probes (no .note.stapsdt notes)";
    std::string out = format("it has %zu: ", names.size());
    for (std::size_t i = 0; i < names.size() && i < 10; ++i) out += (i ? ", " : "") + names[i];
    if (names.size() > 10) out += ", ...";
    return out;
}

// Why the kernel would raise the wrong address for this site's semaphore (see UsdtSite::semaphore_alias), or "".
// A RELRO alias is harmless in a running process loaded through ld.so: the page is read-only there, and the kernel
// only considers writable mappings. Processes that start later map it writable first, so all-process attaches fail.
std::string semaphore_problem(const detail::UprobeBinary& elf, const detail::UsdtSite& s, int pid) {
    if (s.semaphore_alias == 0) return {};
    if (s.semaphore_alias_relro && elf.loader_applies_relro() && pid > 0) return {};
    const auto at = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
    return format("the semaphore of %s:%s (0x%llx, file offset 0x%llx) shares its file page with an earlier writable "
                  "segment of %s, and the kernel would raise the counter at 0x%llx instead (it takes the first writable "
                  "mapping of that page), so the probe would stay off and that memory would change. Link the binary "
                  "without a separate RELRO segment (lld, zig: -z norelro; lld: -z separate-loadable-segments)%s",
                  s.provider.c_str(), s.name.c_str(), at(s.semaphore_address), at(s.semaphore_offset),
                  elf.path().c_str(), at(s.semaphore_alias),
                  s.semaphore_alias_relro && elf.loader_applies_relro()
                      ? ", or attach to one running process (a pid): the dynamic loader has made that page read-only"
                      : "");
}

}  // namespace
}  // namespace usdt_view_impl

Result<void> Usdt::load() {
    // libbpf does the same for usdt sections: a program loaded for uprobe_multi links attaches every site with
    // one link (Linux 6.6+); kernels without them keep the plain kprobe program and one uprobe per site.
    if (!prog_.loaded() && prog_.kind() == ProgramKind::Usdt && !prog_.expected_attach_type() &&
        detail::uprobe_multi_links()) {
        if (auto r = prog_.set_expected_attach_type(AttachType::TraceUprobeMulti); !r) return r;
    }
    return prog_.load();
}

Result<std::vector<UsdtProbe>> Usdt::probes(std::string_view binary) {
    auto bin = detail::open_binary(binary, -1);
    if (!bin) return std::move(bin).error();
    auto sites = (*bin)->elf.usdt_sites();
    if (!sites) return std::move(sites).error();
    std::vector<UsdtProbe> out;
    out.reserve(sites->size());
    for (auto& s : *sites)
        out.push_back({std::move(s.provider), std::move(s.name), std::move(s.args), s.address, s.offset,
                       s.semaphore_address, s.semaphore_offset});
    return out;
}

Result<Link> Usdt::attach(std::string_view binary, std::string_view provider, std::string_view name,
                          const UsdtAttachOptions& o) const {
    using namespace usdt_view_impl;
    std::string what = format("attach usdt program '%s' to %.*s:%.*s:%.*s", prog_.name().c_str(), EBPF_SV(binary),
                              EBPF_SV(provider), EBPF_SV(name));
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    auto pid = detail::uprobe_pid(o.pid);
    if (!pid) return std::move(pid).error().context(what);
    auto bin = detail::open_binary(binary, *pid);
    if (!bin) return std::move(bin).error().context(what);
    const detail::UprobeBinary& elf = (*bin)->elf;
    const auto arch = detail::usdt_arch(elf.machine(), elf.elf64());
    if (!kNativeArch || arch != kNativeArch)
        return Error(Errc::NotSupported,
                     format("%s: %s is a %s binary (ELF machine %u); USDT arguments are decoded for this machine's "
                            "registers (%s)",
                            what.c_str(), elf.path().c_str(), arch ? std::string(to_string(*arch)).c_str() : "foreign",
                            elf.machine(), kNativeArch ? std::string(to_string(*kNativeArch)).c_str() : "none"));
    auto all = elf.usdt_sites();
    if (!all) return std::move(all).error().context(what);
    std::vector<detail::UsdtSite> sites;
    for (const auto& s : *all)
        if (s.provider == provider && s.name == name &&
            std::none_of(sites.begin(), sites.end(), [&](const detail::UsdtSite& d) { return d.offset == s.offset; }))
            sites.push_back(s);
    if (sites.empty())
        return Error(Errc::NotFound, format("%s: USDT probe '%.*s:%.*s' not found in %s (.note.stapsdt searched; %s)",
                                            what.c_str(), EBPF_SV(provider), EBPF_SV(name), elf.path().c_str(),
                                            list_probes(*all).c_str()));

    for (const auto& s : sites)
        if (auto bad = semaphore_problem(elf, s, *pid); !bad.empty()) return Error(Errc::NotSupported, what + ": " + bad);

    // One spec per distinct argument layout; each site points at its spec.
    std::vector<detail::UsdtSpecBytes> specs;
    std::vector<std::size_t> spec_of(sites.size());
    std::map<detail::UsdtSpecBytes, std::size_t> seen;
    for (std::size_t i = 0; i < sites.size(); ++i) {
        const auto where = format("%s: site %zu of %zu at 0x%llx", what.c_str(), i + 1, sites.size(),
                                  static_cast<unsigned long long>(sites[i].address));
        auto args = detail::parse_usdt_args(sites[i].args, *arch);
        if (!args) return std::move(args).error().context(where);
        auto bytes = detail::encode_usdt_spec(*args, o.cookie, detail::host_endian());
        if (!bytes) return std::move(bytes).error().context(where);
        auto [it, fresh] = seen.emplace(*bytes, specs.size());
        if (fresh) specs.push_back(*bytes);
        spec_of[i] = it->second;
    }

    auto maps = detail::find_usdt_maps(prog_);
    if (!maps) return std::move(maps).error().context(what);
    auto cookies = detail::bpf_cookies();
    if (!cookies) return std::move(cookies).error().context(what);
    // Without BPF cookies (Linux < 5.15) the BPF side finds the spec by the probe's absolute address: the file's
    // own address for a fixed-address executable, else where the process maps it (which needs the process).
    std::vector<std::pair<std::uint64_t, std::size_t>> ips;
    int ip_pid = *pid;
    if (!*cookies && ip_pid <= 0 && elf.path().rfind("/proc/self/", 0) == 0) ip_pid = sys::self_pid();  // our own binary
    if (!*cookies) {
        std::vector<sys::MemoryMapping> mappings;
        if (elf.position_independent()) {
            if (ip_pid <= 0)
                return Error(Errc::NotSupported,
                             format("%s: %s is position-independent, and without BPF cookies (Linux 5.15) its probes "
                                    "are told apart by address in one process: give a pid",
                                    what.c_str(), elf.path().c_str()));
            auto m = sys::read_proc_maps(ip_pid);
            if (!m) return std::move(m).error().context(what);
            mappings = std::move(*m);
        }
        for (std::size_t i = 0; i < sites.size(); ++i) {
            std::uint64_t ip = sites[i].address;
            if (elf.position_independent()) {
                auto abs = absolute_address(mappings, elf.path(), (*bin)->file.id(), sites[i].offset, ip_pid);
                if (!abs) return std::move(abs).error().context(what);
                ip = *abs;
            }
            ips.emplace_back(ip, spec_of[i]);
        }
    }
    auto installed = detail::install_usdt_specs(std::move(*maps), specs, ips);
    if (!installed) return std::move(installed).error().context(what);

    std::vector<std::uint64_t> offsets, ref_ctrs, link_cookies;
    bool semaphores = false;
    for (std::size_t i = 0; i < sites.size(); ++i) {
        offsets.push_back(sites[i].offset);
        ref_ctrs.push_back(sites[i].semaphore_offset);
        semaphores = semaphores || sites[i].semaphore_offset != 0;
        if (*cookies) link_cookies.push_back(installed->spec_ids[spec_of[i]]);
    }
    detail::UprobeMultiTarget t;
    t.path = elf.path();
    t.offsets = offsets;
    if (semaphores) t.ref_ctr_offsets = ref_ctrs;
    t.cookies = link_cookies;
    t.pid = ip_pid;
    std::vector<std::unique_ptr<detail::LinkResource>> extra;
    extra.push_back(std::move(installed->resource));
    what += format(" (%zu site%s)", sites.size(), sites.size() == 1 ? "" : "s");
    if (prog_.expected_attach_type() == AttachType::TraceUprobeMulti)
        return detail::attach_uprobe_multi(prog_.fd(), prog_.expected_attach_type(), t, std::move(what),
                                           std::move(extra));
    return detail::attach_uprobe_group(prog_.fd(), t, std::move(what), std::move(extra));
}

Result<Link> Usdt::attach(const UsdtAttachOptions& o) const {
    const auto t = detail::split_section_target(prog_.attach_target());
    const auto colon = t ? t->rest.find(':') : std::string_view::npos;
    if (!t || colon == std::string_view::npos || colon == 0 || colon + 1 == t->rest.size())
        return Error(Errc::InvalidArgument,
                     format("attach usdt program '%s': its section '%s' does not name <binary>:<provider>:<name>; use "
                            "SEC(\"usdt/<binary>:<provider>:<name>\") or attach(binary, provider, name)",
                            prog_.name().c_str(), prog_.section().c_str()));
    return attach(t->binary, t->rest.substr(0, colon), t->rest.substr(colon + 1), o);
}

}  // namespace ebpf
