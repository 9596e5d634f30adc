// SPDX-License-Identifier: MIT
// Freplace: an extension program (BPF_PROG_TYPE_EXT) that replaces a global function of another BPF program.
#pragma once

#include <string_view>

#include <ebpf/programs/view.hpp>

namespace ebpf {

// A typed view of an freplace program (section freplace/<function>). Before load, name the program whose
// function it replaces: program().set_attach_target(target, "function") (the verifier checks the replacement
// against that function's BTF). It shares ownership of the Program (see ProgramView).
// Kernel: 5.6+; attaching with BPF_LINK_CREATE, and to other targets than the load-time one, 5.10+.
// Thread safety: as ProgramView.
class Freplace : public TypedProgramView<Freplace> {
public:
    static constexpr const char* kName = "Freplace";
    static constexpr ProgramType kType = ProgramType::Ext;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Freplace};

    // Replaces the function named at load, in the target program named at load, while the Link lives.
    // Errors: InvalidArgument (not loaded), Permission/NotSupported (the kernel refuses trampolines), ...
    Result<Link> attach() const;
    // Replaces `function` of `target` (a loaded program whose function has the same BTF signature).
    Result<Link> attach(const Program& target, std::string_view function) const;

private:
    friend class TypedProgramView<Freplace>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
