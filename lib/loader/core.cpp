// SPDX-License-Identifier: MIT
// Loader step: compute every CO-RE relocation of the object once, in .BTF.ext order (the order libbpf uses,
// which matters because candidates that fail one relocation are dropped for the following ones).
#include "base/format.hpp"
#include "base/try.hpp"
#include "btf/core.hpp"
#include "loader/state.hpp"

namespace ebpf::detail {

Result<void> compute_core(Object::State& s) {
    const std::uint32_t n = s.spec.core_relo_count;
    s.core.assign(n, {});
    if (n == 0 || !s.core_btf) return {};
    if (!s.spec.btf) return Error(Errc::MalformedObject, "CO-RE relocations need the object's BTF");
    // Records by id, from whichever program carries them (a subprogram's records appear in every caller).
    std::vector<const CoreReloc*> records(n, nullptr);
    std::vector<const ProgramSpec*> owner(n, nullptr);
    for (const ProgramSpec& p : s.spec.programs)
        for (const CoreReloc& r : p.core_relocs)
            if (r.id < n && !records[r.id]) {
                records[r.id] = &r;
                owner[r.id] = &p;
            }
    const KernelBtf& target = *s.core_btf;
    std::vector<const btf::Spec*> module_specs;
    bool modules_loaded = false;
    btf::CoreTargets targets;
    targets.vmlinux = &target.vmlinux();
    targets.modules = [&]() -> std::vector<const btf::Spec*> {
        if (!modules_loaded) {
            modules_loaded = true;
            if (auto all = target.all_modules())
                for (const auto& [name, spec] : *all) module_specs.push_back(spec);
        }
        return module_specs;
    };
    btf::CoreCandidateCache cache;
    const btf::Spec& local = *s.spec.btf;
    for (std::uint32_t id = 0; id < n; ++id) {
        const CoreReloc* r = records[id];
        if (!r) continue;  // in a function no program uses
        auto res = btf::core_calc(local, r->type, r->access, r->kind, targets, cache);
        Object::State::CoreOutcome& out = s.core[id];
        out.computed = true;
        if (!res) {
            // Kept for the programs that use this record: only their load fails.
            out.error = std::move(res).error().context(format("instruction %u: CO-RE %.*s relocation of %s", r->insn,
                                                              EBPF_SV(btf::to_string(r->kind)),
                                                              local.describe(r->type).c_str()));
            continue;
        }
        out.poison = res->poison;
        out.validate = res->validate;
        out.fail_memsz_adjust = res->fail_memsz_adjust;
        out.orig_val = res->orig_val;
        out.new_val = res->new_val;
        out.orig_size = res->orig_size;
        out.new_size = res->new_size;
        out.what = format("CO-RE %.*s relocation of %s (access %s)", EBPF_SV(btf::to_string(r->kind)),
                          local.describe(r->type).c_str(), r->access.c_str());
    }
    return {};
}

}  // namespace ebpf::detail
