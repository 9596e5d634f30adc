// SPDX-License-Identifier: MIT
// The loader's kernel-consulting steps in a build configured with -Dkernel_btf=false: nothing reads the kernel's
// BTF, config or kallsyms, which keeps the CO-RE engine, the inflater and the kernel BTF index out of small
// static binaries. Objects that need them still parse and their other programs load; a program that needs them
// fails, when loaded, with an error that says so. struct_ops variables are laid out as the kernel's structs when the
// object loads (their maps are created then), so an object that has them fails to load as a whole.
#include "base/format.hpp"
#include "loader/state.hpp"

namespace ebpf::detail {

namespace {

Error left_out(const ProgramSpec& p, const std::string& what) {
    return Error(Errc::NotSupported,
                 format("program '%s' %s, but this ebpf-cxx was built with -Dkernel_btf=false, which leaves out "
                        "everything that reads the kernel's BTF, config and symbols; rebuild with -Dkernel_btf=true",
                        p.name.c_str(), what.c_str()));
}

}  // namespace

Result<void> resolve_kernel_deps(Object::State& s, const LoadOptions& o) {
    if (!o.target_btf.empty())
        return Error(Errc::NotSupported, "LoadOptions::target_btf: this ebpf-cxx was built with -Dkernel_btf=false "
                                         "and cannot apply CO-RE relocations");
    s.externs.assign(s.spec.externs.size(), {});
    s.core.assign(s.spec.core_relo_count, {});
    return {};
}

Result<void> apply_kernel_deps(const Object::State& s, const ProgramSpec& p, ProgramDef&) {
    if (!p.extern_relocs.empty()) {
        const ExternSpec& e = s.spec.externs.at(p.extern_relocs.front().ext);
        return left_out(p, format("uses externs (.kconfig/.ksyms/kfuncs; first '%s')", e.name.c_str()));
    }
    if (!p.core_relocs.empty()) return left_out(p, format("has %zu CO-RE relocations", p.core_relocs.size()));
    return {};
}

Result<void> layout_struct_ops(Object::State& s) {
    if (s.spec.struct_ops.empty()) return {};
    std::string names;
    for (const StructOpsSpec& so : s.spec.struct_ops) names += (names.empty() ? "'" : ", '") + so.name + "'";
    return Error(Errc::NotSupported,
                 format("struct_ops %s: laying a struct_ops variable out as the kernel's struct reads the kernel's "
                        "BTF, but this ebpf-cxx was built with -Dkernel_btf=false, which leaves that out; rebuild "
                        "with -Dkernel_btf=true",
                        names.c_str()));
}

// Unreachable after the error above; defined because the map and program steps name them.
Result<Map> create_struct_ops_map(const Object::State&, const MapSpec& m) {
    return Error(Errc::NotSupported, format("struct_ops map '%s': this ebpf-cxx was built with -Dkernel_btf=false",
                                            m.name.c_str()));
}

Result<void> apply_struct_ops(const Object::State&, const ProgramSpec& p, ProgramDef&) {
    if (p.kind != ProgramKind::StructOps) return {};
    return left_out(p, "is a struct_ops program");
}

namespace {
class NoKernelBtfResolver final : public AttachTargetResolver {
public:
    Result<void> resolve(ProgramDef& d) const override {
        ProgramSpec p;
        p.name = d.name;
        return left_out(p, format("attaches by BTF id to '%s'", d.attach_target.c_str()));
    }
};
}  // namespace

std::shared_ptr<const AttachTargetResolver> kernel_attach_resolver(const Object::State&) {
    return std::make_shared<NoKernelBtfResolver>();
}

}  // namespace ebpf::detail
