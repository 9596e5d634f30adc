// SPDX-License-Identifier: MIT
// Loader step, per program: patch what resolve_kernel_deps() found into the instructions (extern values and
// BTF ids, CO-RE results) and find the BTF id of a BTF-attached program's target.
// Not built with -Dkernel_btf=false (kernel_deps_none.cpp replaces it).
#include <algorithm>

#include "base/format.hpp"
#include "base/try.hpp"
#include "btf/core.hpp"
#include "loader/state.hpp"
#include "object/core_patch.hpp"
#include "object/insn.hpp"

namespace ebpf::detail {

namespace {


Result<void> apply_externs(const Object::State& s, const ProgramSpec& p, ProgramDef& d) {
    const MapSpec* kmap = nullptr;
    std::size_t kmap_index = 0;
    for (std::size_t i = 0; i < s.spec.maps.size(); ++i)
        if (s.spec.maps[i].kind == MapKind::Kconfig) {
            kmap = &s.spec.maps[i];
            kmap_index = i;
        }
    for (const ExternReloc& r : p.extern_relocs) {
        const ExternSpec& e = s.spec.externs.at(r.ext);
        const Object::State::ExternValue& v = s.externs.at(r.ext);
        Instruction& in = d.instructions.at(r.insn);
        auto where = [&] { return format("program '%s' instruction %u (extern '%s')", p.name.c_str(), r.insn, e.name.c_str()); };
        if (e.kind == ExternKind::Kconfig) {
            if (!kmap || r.insn + 1 >= d.instructions.size()) return Error(Errc::Relocation, where() + ": no .kconfig map");
            in.src = kPseudoMapValue;
            in.imm = s.maps[kmap_index].fd().get();
            if (std::find(d.map_fds.begin(), d.map_fds.end(), s.maps[kmap_index].shared_fd()) == d.map_fds.end())
                d.map_fds.push_back(s.maps[kmap_index].shared_fd());
            d.instructions[r.insn + 1].imm = static_cast<std::int32_t>(e.offset) + r.offset;
            continue;
        }
        if (e.is_func && in.is_ld_imm64()) {
            // The kfunc's address taken (bpf_ksym_exists): its BTF id (BPF_PSEUDO_BTF_ID naming a FUNC), or 0
            // for a missing weak kfunc so the guarded call is dead code; as libbpf does.
            if (r.insn + 1 >= d.instructions.size())
                return Error(Errc::Relocation, where() + ": ld_imm64 is truncated");
            Instruction& hi = d.instructions[r.insn + 1];
            in.src = v.resolved ? kPseudoBtfId : 0;
            in.imm = v.resolved ? static_cast<std::int32_t>(v.btf_id) : 0;
            hi.imm = v.resolved && v.module_btf ? v.module_btf->get() : 0;
            continue;
        }
        if (e.is_func) {
            if (!v.resolved) {
                in = Instruction{0x85, 0, 0, 0, kKfuncPoisonBase + static_cast<std::int32_t>(r.ext)};
                d.poisoned.emplace_back(r.insn, format("call of weak kfunc '%s', which this kernel does not have",
                                                       e.name.c_str()));
                continue;
            }
            in.src = kPseudoKfuncCall;
            in.imm = static_cast<std::int32_t>(v.btf_id);
            in.off = 0;
            if (v.module_btf) {
                // fd_array[0] is never used for modules: index 0 means vmlinux.
                if (d.fd_array.empty()) d.fd_array.push_back(nullptr);
                std::size_t idx = 0;
                for (std::size_t i = 1; i < d.fd_array.size() && !idx; ++i)
                    if (d.fd_array[i] == v.module_btf) idx = i;
                if (!idx) {
                    idx = d.fd_array.size();
                    d.fd_array.push_back(v.module_btf);
                }
                if (idx > 0x7fff) return Error(Errc::ResourceLimit, where() + ": too many kfunc modules");
                in.off = static_cast<std::int16_t>(idx);
            }
            continue;
        }
        if (r.insn + 1 >= d.instructions.size()) return Error(Errc::Relocation, where() + ": ld_imm64 is truncated");
        Instruction& hi = d.instructions[r.insn + 1];
        if (e.type != 0 && v.resolved) {
            in.src = kPseudoBtfId;
            in.imm = static_cast<std::int32_t>(v.btf_id);
            hi.imm = v.module_btf ? v.module_btf->get() : 0;
        } else {
            // Untyped ksym (or an unresolved weak one: 0).
            const std::uint64_t addr = v.resolved ? v.address : 0;
            in.src = 0;
            in.imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(addr));
            hi.imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(addr >> 32));
        }
    }
    return {};
}

Result<void> apply_core(const Object::State& s, const ProgramSpec& p, ProgramDef& d) {
    for (const CoreReloc& r : p.core_relocs) {
        if (r.id >= s.core.size() || !s.core[r.id].computed)
            return Error(Errc::Relocation, format("program '%s' instruction %u: CO-RE relocation was not computed",
                                                  p.name.c_str(), r.insn));
        const Object::State::CoreOutcome& o = s.core[r.id];
        if (o.error) return Error(*o.error).context(format("program '%s'", p.name.c_str()));
        btf::CoreResult res;
        res.poison = o.poison;
        res.validate = o.validate;
        res.fail_memsz_adjust = o.fail_memsz_adjust;
        res.orig_val = o.orig_val;
        res.new_val = o.new_val;
        res.orig_size = o.orig_size;
        res.new_size = o.new_size;
        if (auto ok = core_patch(d.instructions, r.insn, res); !ok)
            return std::move(ok).error().context(format("program '%s': %s", p.name.c_str(), o.what.c_str()));
        if (res.poison) d.poisoned.emplace_back(r.insn, o.what + ", which found no match in the target BTF");
    }
    return {};
}

// fentry/fexit/fmod_ret: FUNC <name>; tp_btf: TYPEDEF btf_trace_<name>; lsm: FUNC bpf_lsm_<hook>;
// iter: FUNC bpf_iter_<target>. "module:name" looks only in that module.
class KernelAttachResolver final : public AttachTargetResolver {
public:
    explicit KernelAttachResolver(std::shared_ptr<const KernelBtf> k) : kernel_(std::move(k)) {}

    Result<void> resolve(ProgramDef& d) const override {
        std::shared_ptr<const KernelBtf> k = kernel_;
        if (!k) {
            // The target was set after the object loaded (set_attach_target), and nothing needed the kernel's
            // BTF then: read it now.
            EBPF_TRY_ASSIGN(k, KernelBtf::running());
        }
        std::string_view target = d.attach_target, module;
        if (const auto colon = target.find(':'); colon != std::string_view::npos) {
            module = target.substr(0, colon);
            target = target.substr(colon + 1);
        }
        std::string name(target);
        btf::Kind kind = btf::Kind::Func;
        if (d.kind == ProgramKind::TpBtf) {
            name = "btf_trace_" + name;
            kind = btf::Kind::Typedef;
        } else if (d.kind == ProgramKind::Lsm || d.kind == ProgramKind::LsmCgroup) {
            name = "bpf_lsm_" + name;
        } else if (d.kind == ProgramKind::Iter) {
            name = "bpf_iter_" + name;
        }
        auto lookup = [&](const btf::Spec& spec) -> std::optional<btf::TypeId> {
            auto id = spec.find(name, kind);
            if (!id || *id < spec.first_id()) return std::nullopt;
            return *id;
        };
        if (module.empty()) {
            if (auto id = lookup(k->vmlinux())) {
                d.attach_btf_id = *id;
                return {};
            }
        }
        for (const std::string& m : k->module_names()) {
            if (!module.empty() && m != module) continue;
            auto spec = k->module(m);
            if (!spec) continue;
            if (auto id = lookup(**spec)) {
                auto fd = k->module_fd(m);
                if (!fd) return std::move(fd).error().context(format("attach target in module %s", m.c_str()));
                d.attach_btf_id = *id;
                d.attach_btf_obj = *fd;
                return {};
            }
        }
        return Error(Errc::NotFound, format("%.*s '%s' is not in the kernel's BTF%s%.*s",
                                            EBPF_SV(btf::to_string(kind)), name.c_str(),
                                            module.empty() ? " (vmlinux and modules searched)" : " of module ",
                                            EBPF_SV(module)));
    }

private:
    std::shared_ptr<const KernelBtf> kernel_;
};

}  // namespace

Result<void> apply_kernel_deps(const Object::State& s, const ProgramSpec& p, ProgramDef& d) {
    EBPF_TRY(apply_externs(s, p, d));
    return apply_core(s, p, d);
}

std::shared_ptr<const AttachTargetResolver> kernel_attach_resolver(const Object::State& s) {
    return std::make_shared<KernelAttachResolver>(s.kernel_btf);
}

}  // namespace ebpf::detail
