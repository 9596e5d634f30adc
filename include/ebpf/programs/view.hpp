// SPDX-License-Identifier: MIT
// The base of every typed program view (CgroupSkb, RawTracepoint, Xdp, KProbe, ...): one pattern for a type.
#pragma once

#include <initializer_list>
#include <span>

#include <ebpf/link.hpp>
#include <ebpf/program.hpp>

namespace ebpf {

namespace detail {
// Checks that `p` may be viewed as `view`: its kind is one of `kinds`, or, for a program without a known section
// (opened from a pin or an id, or prepared by hand), its type is `type`.
// Errors: InvalidArgument naming the program, its section and kind, and what the view takes.
Result<void> check_program_view(const Program& p, std::span<const ProgramKind> kinds, ProgramType type,
                                const char* view);
}  // namespace detail

// A typed view shares ownership of its Program (a copy of the handle): it may outlive the Object it came from.
// Thread safety: as Program: load from one thread; attach calls on a loaded program may run concurrently.
class ProgramView {
public:
    Program& program() noexcept { return prog_; }
    const Program& program() const noexcept { return prog_; }
    const std::string& name() const noexcept { return prog_.name(); }
    // Loads the program (see Program::load).
    Result<void> load() { return prog_.load(); }

protected:
    explicit ProgramView(Program p) noexcept : prog_(std::move(p)) {}
    Program prog_;
};

// A view type declares, and TypedProgramView<Derived>::from() checks:
//   static constexpr const char* kName;          // "CgroupSkb", for messages
//   static constexpr ProgramType kType;           // the BPF_PROG_TYPE_*
//   static constexpr ProgramKind kKinds[];        // the section families it takes
// and befriends TypedProgramView<Derived> (from() uses its private constructor). See docs/contributing.md.
template <class Derived>
class TypedProgramView : public ProgramView {
public:
    // Errors: InvalidArgument when the program is of another kind.
    static Result<Derived> from(const Program& p) {
        if (auto r = detail::check_program_view(p, Derived::kKinds, Derived::kType, Derived::kName); !r)
            return std::move(r).error();
        return Derived(p);
    }

protected:
    explicit TypedProgramView(Program p) noexcept : ProgramView(std::move(p)) {}
};

}  // namespace ebpf
