// SPDX-License-Identifier: MIT
// Program loading: BPF_PROG_LOAD with func/line info, EAGAIN retries, and a verifier log collected on failure.
#include <ebpf/program.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "base/format.hpp"
#include "base/kernel_name.hpp"
#include "base/try.hpp"
#include "object/insn.hpp"
#include "object/sections.hpp"
#include "programs/target_btf.hpp"
#include "object/verifier_log.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"

namespace ebpf {

using detail::format;

namespace {

constexpr std::uint32_t kDefaultLogSize = 64 * 1024;
constexpr std::uint32_t kMinLogSize = 128;  // kernels refuse smaller log buffers with EINVAL
constexpr std::uint32_t kMaxLogSize = 64u << 20;  // verifier logs of huge programs can reach tens of MiB
constexpr int kEagainRetries = 5;

void copy_name(char (&dst)[16], std::string_view name) {
    const std::string k = detail::kernel_object_name(name);
    std::memcpy(dst, k.data(), k.size());
}

// Kinds whose target is a BTF object named by attach_target, found when the program is loaded.
bool btf_attached(ProgramKind k) noexcept {
    switch (k) {
    case ProgramKind::TpBtf:
    case ProgramKind::Fentry:
    case ProgramKind::Fexit:
    case ProgramKind::FmodRet:
    case ProgramKind::Fsession:
    case ProgramKind::Lsm:
    case ProgramKind::LsmCgroup:
    case ProgramKind::Iter:
    case ProgramKind::Freplace: return true;
    default: return false;
    }
}

// The last few lines of a verifier log: where the verifier stopped is almost always at the end.
std::string log_tail(std::string_view log, int lines) {
    while (!log.empty() && (log.back() == '\n' || log.back() == '\0')) log.remove_suffix(1);
    std::size_t pos = log.size();
    for (int i = 0; i < lines && pos > 0; ++i) {
        const std::size_t nl = log.rfind('\n', pos - 1);
        if (nl == std::string_view::npos) {
            pos = 0;
            break;
        }
        pos = nl;
    }
    std::string_view tail = log.substr(pos);
    if (!tail.empty() && tail.front() == '\n') tail.remove_prefix(1);
    return std::string(tail);
}

struct LoadBuffers {
    std::vector<std::uint64_t> insns;
    std::vector<std::uint32_t> func_info;  // {insn_off, type_id} pairs
    std::vector<std::uint32_t> line_info;  // {insn_off, file_name_off, line_off, line_col}
    std::vector<std::int32_t> fd_array;
};

}  // namespace

Result<Program> Program::prepare(ProgramDef def) {
    if (def.instructions.empty())
        return Error(Errc::InvalidArgument, format("program '%s' has no instructions", def.name.c_str()));
    if (def.type == ProgramType::Unspec)
        return Error(Errc::InvalidArgument,
                     format("program '%s' (section '%s') has no program type: the section name is not one ebpf-cxx "
                            "knows; set the type explicitly",
                            def.name.c_str(), def.section.c_str()));
    if (def.kind == ProgramKind::Unknown && !def.section.empty()) {
        // A hand-made definition with a libbpf section name gets the kind (and target) the loader would give it.
        if (auto m = detail::match_section(def.section); m && m->def->type == def.type) {
            def.kind = m->def->kind;
            if (def.attach_target.empty()) def.attach_target = std::string(m->attach_to);
        }
    }
    auto st = std::make_shared<detail::ProgramState>();
    st->def = std::move(def);
    return Program(std::move(st));
}

Program Program::unloadable(ProgramDef def, Error why) {
    auto st = std::make_shared<detail::ProgramState>();
    st->def = std::move(def);
    st->unloadable = std::move(why);
    return Program(std::move(st));
}

Result<void> Program::require_unloaded(const char* what) const {
    if (loaded())
        return Error(Errc::InvalidArgument,
                     format("program '%s' is already loaded: %s can only be changed before load()",
                            s_->def.name.c_str(), what));
    return {};
}

Result<void> Program::set_attach_target(std::string_view target) {
    EBPF_TRY(require_unloaded("its attach target"));
    ProgramDef& d = s_->def;
    d.attach_target = std::string(target);
    // Found again at load, against the new name.
    d.attach_btf_id = 0;
    d.attach_btf_obj.reset();
    d.attach_prog.reset();
    return {};
}

Result<void> Program::set_attach_target(const Program& target, std::string_view function) {
    EBPF_TRY(require_unloaded("its attach target"));
    ProgramDef& d = s_->def;
    const bool ok_kind = d.kind == ProgramKind::Freplace || d.kind == ProgramKind::Fentry ||
                         d.kind == ProgramKind::Fexit || d.kind == ProgramKind::FmodRet ||
                         (d.kind == ProgramKind::Unknown && (d.type == ProgramType::Ext || d.type == ProgramType::Tracing));
    if (!ok_kind)
        return Error(Errc::InvalidArgument,
                     format("program '%s' is a %.*s program: only freplace, fentry, fexit and fmod_ret programs can "
                            "target another BPF program",
                            d.name.c_str(), EBPF_SV(to_string(d.kind))));
    if (!target.loaded())
        return Error(Errc::InvalidArgument, format("program '%s': its target program '%s' must be loaded first",
                                                   d.name.c_str(), target.name().c_str()));
    d.attach_target = std::string(function);
    d.attach_btf_id = 0;
    d.attach_btf_obj.reset();
    d.attach_prog = target.shared_fd();
    return {};
}

Result<void> Program::set_type(ProgramType type) {
    EBPF_TRY(require_unloaded("its type"));
    s_->def.type = type;
    s_->def.flags = flags_for_program_type(s_->def.flags, type);
    return {};
}

Result<void> Program::set_expected_attach_type(std::optional<AttachType> type) {
    EBPF_TRY(require_unloaded("its expected attach type"));
    s_->def.expected_attach_type = type;
    return {};
}

Result<void> Program::set_ifindex(std::uint32_t ifindex) {
    EBPF_TRY(require_unloaded("its device"));
    s_->def.ifindex = ifindex;
    return {};
}

Result<void> Program::set_flags(std::uint32_t flags) {
    EBPF_TRY(require_unloaded("its load flags"));
    s_->def.flags = flags;
    return {};
}

Result<void> Program::set_log_level(std::uint32_t level) {
    EBPF_TRY(require_unloaded("its log level"));
    s_->def.log_level = level;
    return {};
}

Result<void> Program::resolve_attach_target() {
    ProgramDef& d = s_->def;
    auto where = [&] {
        return format("program '%s' (%.*s): attach target", d.name.c_str(), EBPF_SV(to_string(d.kind)));
    };
    if (d.attach_target.empty())
        return Error(Errc::InvalidArgument,
                     format("%s: none named; use SEC(\"%.*s/<target>\") or set_attach_target()", where().c_str(),
                            EBPF_SV(to_string(d.kind))));
    if (d.attach_prog) {
        auto id = detail::find_program_func(d.attach_prog->get(), d.attach_target);
        if (!id) return std::move(id).error().context(where());
        d.attach_btf_id = *id;
        return {};
    }
    if (d.kind == ProgramKind::Freplace)
        return Error(Errc::InvalidArgument,
                     format("%s: freplace needs the program it replaces a function of: call "
                            "set_attach_target(target_program, \"%s\") before load()",
                            where().c_str(), d.attach_target.c_str()));
    if (!d.resolver)
        return Error(Errc::NotSupported, format("%s '%s': no way to find its BTF id (set ProgramDef::attach_btf_id)",
                                                where().c_str(), d.attach_target.c_str()));
    return d.resolver->resolve(d);
}

Result<void> Program::load() {
    if (loaded()) return {};
    if (s_->unloadable) return *s_->unloadable;
    if (btf_attached(s_->def.kind) && s_->def.attach_btf_id == 0) EBPF_TRY(resolve_attach_target());
    ProgramDef& d = s_->def;
    LoadBuffers buf;
    buf.insns = detail::encode_instructions(d.instructions);
    const bool with_btf = d.btf && d.btf->valid() && !d.func_info.empty();
    if (with_btf) {
        for (const btf::FuncInfo& f : d.func_info) buf.func_info.insert(buf.func_info.end(), {f.insn_off, f.type});
        for (const btf::LineInfo& l : d.line_info)
            buf.line_info.insert(buf.line_info.end(), {l.insn_off, l.file_name_off, l.line_off, l.line_col});
    }
    for (const auto& fd : d.fd_array) buf.fd_array.push_back(fd ? fd->get() : 0);

    sys::ProgLoadAttr a{};
    a.prog_type = static_cast<std::uint32_t>(d.type);
    a.insn_cnt = static_cast<std::uint32_t>(buf.insns.size());
    a.insns = sys::ptr_to_u64(buf.insns.data());
    a.license = sys::ptr_to_u64(d.license.c_str());
    a.kern_version = d.kern_version;
    a.prog_flags = d.flags;
    a.prog_ifindex = d.ifindex;
    copy_name(a.prog_name, d.name);
    if (d.expected_attach_type) a.expected_attach_type = static_cast<std::uint32_t>(*d.expected_attach_type);
    if (with_btf) {
        a.prog_btf_fd = static_cast<std::uint32_t>(d.btf->get());
        a.func_info_rec_size = 8;
        a.func_info = sys::ptr_to_u64(buf.func_info.data());
        a.func_info_cnt = static_cast<std::uint32_t>(d.func_info.size());
        if (!d.line_info.empty()) {
            a.line_info_rec_size = 16;
            a.line_info = sys::ptr_to_u64(buf.line_info.data());
            a.line_info_cnt = static_cast<std::uint32_t>(d.line_info.size());
        }
    }
    a.attach_btf_id = d.attach_btf_id;
    if (d.attach_prog) a.attach_prog_fd = static_cast<std::uint32_t>(d.attach_prog->get());
    else if (d.attach_btf_obj) a.attach_prog_fd = static_cast<std::uint32_t>(d.attach_btf_obj->get());
    if (!buf.fd_array.empty()) a.fd_array = sys::ptr_to_u64(buf.fd_array.data());

    std::string log;
    std::uint32_t level = d.log_level;
    std::uint32_t size = d.log_size ? std::max(d.log_size, kMinLogSize) : kDefaultLogSize;
    for (int attempt = 0;; ++attempt) {
        if (level) {
            log.assign(size, '\0');
            a.log_level = level;
            a.log_size = size;
            a.log_buf = sys::ptr_to_u64(log.data());
        } else {
            a.log_level = a.log_size = 0;
            a.log_buf = 0;
        }
        a.log_true_size = 0;
        auto fd = sys::prog_load(a);
        if (fd) {
            s_->fd = std::move(*fd);
            s_->log = level ? std::string(log.c_str()) : std::string();
            // The kernel holds the maps now; our references would only keep fds open.
            d.map_fds.clear();
            d.map_fds.shrink_to_fit();
            return {};
        }
        const int err = fd.error().sys_errno();
        if (err == EAGAIN && attempt < kEagainRetries) continue;
        if (err == ENOSPC && level && size < kMaxLogSize) {
            // The log did not fit. Kernels >= 6.4 say how much is needed; otherwise grow by 4x.
            size = a.log_true_size > size ? std::min(a.log_true_size, kMaxLogSize) : std::min(size * 4, kMaxLogSize);
            continue;
        }
        if (!level && err != EPERM && err != EAGAIN) {
            // Fast path failed: load again with a log so the error can say why.
            level = 1;
            continue;
        }
        std::string full(log.c_str());
        Error e = std::move(fd).error();
        // Whatever the errno, a log says why (e.g. ENOENT: "failed to find the address for kernel symbol").
        if (!full.empty()) {
            const detail::VerifierLogSummary v = detail::decode_verifier_log(full);
            if (std::string line = detail::describe(v); !line.empty()) e.append("\nverifier: " + line);
            if (v.insn)
                for (const auto& [insn, why] : d.poisoned)
                    if (insn == *v.insn)
                        e.append(format("\ninstruction %u was left invalid on purpose by the loader: %s", insn,
                                        why.c_str()));
            e.append("\nverifier log (last lines):\n" + log_tail(full, 6));
        }
        if (!full.empty() && (err == EACCES || err == EINVAL || err == E2BIG || err == ENOSPC)) {
            e.recode(Errc::Verifier);
        } else if (err == EPERM && ::geteuid() == 0 && btf_attached(d.kind)) {
            // Root, and still refused: the kernel cannot run this kind of program at all.
            e.context(format("the kernel refuses %.*s programs even to root: it has no BPF trampolines (built "
                             "without CONFIG_FUNCTION_TRACER / DYNAMIC_FTRACE_WITH_DIRECT_CALLS) or lockdown "
                             "forbids them",
                             EBPF_SV(to_string(d.kind))));
        } else if (err == EPERM) {
            e.context("(needs CAP_BPF or root; on kernels before 5.11 RLIMIT_MEMLOCK may also be too low)");
        }
        return std::move(e)
            .set_verifier_log(std::move(full))
            .context(format("load program '%s' (%.*s)", d.name.c_str(), EBPF_SV(to_string(d.type))));
    }
}

Result<void> Program::require_loaded(const char* what) const {
    if (!loaded())
        return Error(Errc::InvalidArgument,
                     format("program '%s': %s needs a loaded program", s_->def.name.c_str(), what));
    return {};
}

Result<void> Program::pin(const char* path) const {
    EBPF_TRY(require_loaded("pin"));
    auto r = sys::obj_pin(s_->fd.get(), path);
    if (!r) return std::move(r).error().context(format("program '%s': pin at %s", s_->def.name.c_str(), path));
    return {};
}

namespace {

// The name of a program's entry function in its BTF (func_info[0]), when it extends the kernel's cut name `cut`;
// nothing when the BTF or the record cannot be read. What bpftool prints for names longer than 15 characters.
std::optional<std::string> full_program_name(int fd, std::uint32_t btf_id, std::string_view cut) {
    std::uint32_t rec[2] = {};  // bpf_func_info: {insn_off, type_id}
    sys::ProgInfoRaw raw{};
    raw.nr_func_info = 1;
    raw.func_info_rec_size = sizeof rec;
    raw.func_info = sys::ptr_to_u64(rec);
    std::uint32_t len = sizeof raw;
    if (!sys::obj_get_info_by_fd(fd, &raw, len) || raw.nr_func_info == 0) return std::nullopt;
    // The program's own BTF (never split on vmlinux): its size, then its bytes.
    auto btf_fd = sys::get_fd_by_id(sys::Cmd::BtfGetFdById, btf_id);
    if (!btf_fd) return std::nullopt;
    sys::BtfInfoRaw braw{};
    len = sizeof braw;
    if (!sys::obj_get_info_by_fd(btf_fd->get(), &braw, len)) return std::nullopt;
    auto bytes = sys::btf_bytes(btf_fd->get(), braw.btf_size);
    if (!bytes) return std::nullopt;
    auto spec = btf::Spec::parse(std::span<const std::byte>(*bytes));
    if (!spec) return std::nullopt;
    auto t = spec->type(rec[1]);
    if (!t || t->kind() != btf::Kind::Func || !t->name().starts_with(cut)) return std::nullopt;
    return std::string(t->name());
}

}  // namespace

Result<ProgramInfo> Program::info() const {
    EBPF_TRY(require_loaded("info"));
    sys::ProgInfoRaw raw{};
    std::uint32_t len = sizeof raw;
    EBPF_TRY(sys::obj_get_info_by_fd(s_->fd.get(), &raw, len));
    ProgramInfo i;
    i.map_ids.resize(raw.nr_map_ids);
    if (raw.nr_map_ids) {
        // Second call with a buffer for the map ids (their count is only known now).
        const std::uint32_t n = raw.nr_map_ids;
        raw = {};
        raw.nr_map_ids = n;
        raw.map_ids = sys::ptr_to_u64(i.map_ids.data());
        len = sizeof raw;
        EBPF_TRY(sys::obj_get_info_by_fd(s_->fd.get(), &raw, len));
        i.map_ids.resize(std::min(n, raw.nr_map_ids));
    }
    i.type = static_cast<ProgramType>(raw.type);
    i.id = raw.id;
    i.name.assign(raw.name, strnlen(raw.name, sizeof raw.name));
    std::memcpy(i.tag.data(), raw.tag, 8);
    i.jited_size = raw.jited_prog_len;
    i.xlated_size = raw.xlated_prog_len;
    i.verified_instructions = raw.verified_insns;
    i.btf_id = raw.btf_id;
    i.run_time_ns = raw.run_time_ns;
    i.run_count = raw.run_cnt;
    i.recursion_misses = raw.recursion_misses;
    i.load_time_ns = raw.load_time;
    i.created_by_uid = raw.created_by_uid;
    i.gpl_compatible = raw.gpl_compatible != 0;
    i.ifindex = raw.ifindex;
    i.attach_btf_obj_id = raw.attach_btf_obj_id;
    i.attach_btf_id = raw.attach_btf_id;
    i.full_name = i.name;
    if (i.name.size() == sizeof raw.name - 1 && raw.btf_id != 0 && raw.nr_func_info != 0)
        if (auto full = full_program_name(s_->fd.get(), raw.btf_id, i.name)) i.full_name = std::move(*full);
    return i;
}

Result<TestRunResult> Program::test_run(const TestRunOptions& o) const {
    EBPF_TRY(require_loaded("test_run"));
    sys::TestRunAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(s_->fd.get());
    a.data_in = sys::ptr_to_u64(o.data_in.data());
    a.data_size_in = static_cast<std::uint32_t>(o.data_in.size());
    a.data_out = sys::ptr_to_u64(o.data_out.data());
    a.data_size_out = static_cast<std::uint32_t>(o.data_out.size());
    a.ctx_in = sys::ptr_to_u64(o.ctx_in.data());
    a.ctx_size_in = static_cast<std::uint32_t>(o.ctx_in.size());
    a.ctx_out = sys::ptr_to_u64(o.ctx_out.data());
    a.ctx_size_out = static_cast<std::uint32_t>(o.ctx_out.size());
    a.repeat = o.repeat;
    a.flags = o.flags;
    a.cpu = o.cpu;
    if (auto r = sys::prog_test_run(a); !r)
        return std::move(r).error().context(format("program '%s': test run", s_->def.name.c_str()));
    return TestRunResult{a.retval, a.duration, a.data_size_out, a.ctx_size_out};
}

Result<Program> Program::from_fd(UniqueFd fd) {
    auto st = std::make_shared<detail::ProgramState>();
    st->fd = std::move(fd);
    Program p(std::move(st));
    auto info = p.info();
    if (!info) return std::move(info).error().context("open program");
    p.s_->def.name = info->name;
    p.s_->def.type = info->type;
    return p;
}

Result<Program> Program::from_pin(const char* path) {
    auto fd = sys::obj_get(path);
    if (!fd) return std::move(fd).error().context(format("open pinned program %s", path));
    return from_fd(std::move(*fd));
}

Result<Program> Program::from_id(std::uint32_t id) {
    auto fd = sys::get_fd_by_id(sys::Cmd::ProgGetFdById, id);
    if (!fd) return std::move(fd).error().context(format("open program id %u", id));
    return from_fd(std::move(*fd));
}

Result<UniqueFd> enable_stats() {
    constexpr std::uint32_t kStatsRunTime = 0;  // BPF_STATS_RUN_TIME
    auto fd = sys::enable_stats(kStatsRunTime);
    if (!fd) return std::move(fd).error().context("enable run-time statistics of BPF programs");
    return fd;
}

}  // namespace ebpf
