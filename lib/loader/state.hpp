// SPDX-License-Identifier: MIT
// What a loaded Object holds, and the loader steps that fill it.
#pragma once

#include <ebpf/kernel_btf.hpp>
#include <ebpf/object.hpp>

#include <memory>
#include <optional>
#include <vector>

namespace ebpf {

struct Object::State {
    ObjectSpec spec;
    std::string display_name;               // the file name, for messages
    std::shared_ptr<const UniqueFd> btf;    // object BTF in the kernel (null if not loaded)
    bool btf_without_func = false;          // kernel BTF has no FUNC: programs load without func/line info
    // Created maps and prepared programs, in spec order until one is taken out (take_map/take_program); after
    // preparation nothing indexes them by spec position.
    std::vector<Map> maps;
    std::vector<Program> programs;
    std::vector<std::string> taken;  // names of maps and programs taken out, for "not found" errors
    std::vector<std::string> warnings;
    std::vector<std::pair<std::string, bool>> autoload;  // LoadOptions::autoload, for load_programs()
    std::vector<std::string> new_pins;  // pins this load created: removed again if the load fails

    // Kernel-dependent inputs, resolved before maps and programs are created.
    std::shared_ptr<const KernelBtf> core_btf;    // CO-RE target (running kernel or LoadOptions::target_btf)
    std::shared_ptr<const KernelBtf> kernel_btf;  // running kernel, for BTF ids (ksyms, kfuncs, attach targets)
    struct CoreOutcome {
        bool computed = false;
        bool poison = false;
        bool validate = true, fail_memsz_adjust = false;
        std::uint64_t orig_val = 0, new_val = 0;
        std::uint32_t orig_size = 0, new_size = 0;
        std::string what;  // description for errors
        std::optional<Error> error;  // the relocation cannot be computed; programs using it cannot load
    };
    std::vector<CoreOutcome> core;  // by CoreReloc::id
    struct ExternValue {
        bool resolved = false;
        std::uint32_t btf_id = 0;                    // typed ksym / kfunc
        std::shared_ptr<const UniqueFd> module_btf;  // set when the symbol lives in a module
        std::uint64_t address = 0;                   // untyped ksym
    };
    std::vector<ExternValue> externs;  // by ObjectSpec::externs index
    // struct_ops variables laid out as the running kernel's structs (loader/struct_ops.cpp), by spec order.
    struct StructOpsLayout {
        std::string name, type_name, ops_name;
        bool link = false;                // the map is created with BPF_F_LINK (6.4+, probed)
        std::uint32_t kernel_type = 0;    // the struct in vmlinux BTF
        std::uint32_t value_type = 0;     // bpf_struct_ops_<type_name>
        std::vector<std::byte> value;     // the kernel value, data members filled, program slots zero
        struct Slot {
            std::string member;
            std::uint32_t index = 0, offset = 0;
            std::string program;
        };
        std::vector<Slot> slots;
    };
    std::vector<StructOpsLayout> struct_ops;
};

namespace detail {

// Kernel name for a map: libbpf's convention ("<object prefix>.rodata" for global data) so tools that know
// libbpf (bpftool, skeletons) recognise them.
std::string kernel_map_name(std::string_view object_name, const MapSpec& m);

// Step: apply LoadOptions that change the spec (globals, sizes). Errors: NotFound, InvalidArgument.
Result<void> apply_spec_options(ObjectSpec& spec, const LoadOptions& options);
// Step: everything that consults the running kernel before maps are created: its BTF (CO-RE, typed ksyms,
// kfuncs, BTF-attached programs), config (.kconfig) and kallsyms. Built from kernel_deps.cpp, or from
// kernel_deps_none.cpp with -Dkernel_btf=false.
Result<void> resolve_kernel_deps(Object::State& s, const LoadOptions& options);
// Step, per program: patch extern values and CO-RE results into `d`.
// Errors (deferred to that program's load): Relocation, NotFound, NotSupported.
Result<void> apply_kernel_deps(const Object::State& s, const ProgramSpec& p, ProgramDef& d);
// How BTF-attached programs (fentry, tp_btf, lsm, iter, ...) find their target's BTF id at load: the running
// kernel's BTF (kernel_relocate.cpp), or an error naming -Dkernel_btf=false (kernel_deps_none.cpp).
std::shared_ptr<const AttachTargetResolver> kernel_attach_resolver(const Object::State& s);
// Parts of resolve_kernel_deps(): load the kernel's BTF if anything needs it; extern values (.kconfig values are
// written into the .kconfig map's initial contents), ksym addresses and ids; every CO-RE relocation, computed
// once in .BTF.ext order.
Result<void> load_kernel_btf(Object::State& s, const LoadOptions& options);
Result<void> resolve_externs(Object::State& s, const LoadOptions& options);
Result<void> compute_core(Object::State& s);
// Step: load the object's BTF into the kernel. When the kernel rejects it, loading continues without BTF
// and a warning says what was lost.
Result<void> load_object_btf(Object::State& s);
// Step: lay every struct_ops variable out as the running kernel's struct (before maps and programs are made).
// Errors: NotFound (no such kernel struct; a member the kernel's struct lacks), NotSupported (no struct_ops value
// type for it; a struct of a module), Incompatible (a member of another kind or size), each naming the variable.
Result<void> layout_struct_ops(Object::State& s);
// Creates the BPF_MAP_TYPE_STRUCT_OPS map of a struct_ops variable, laid out by layout_struct_ops().
Result<Map> create_struct_ops_map(const Object::State& s, const MapSpec& m);
// Per program: the attach BTF id and member index of a struct_ops program (its struct and member).
Result<void> apply_struct_ops(const Object::State& s, const ProgramSpec& p, ProgramDef& d);

// Step: create, reuse (pinned) and initialise every map.
Result<void> create_maps(Object::State& s, const LoadOptions& options);
// Step: relocate a program against the created maps and prepare it.
Result<Program> prepare_program(const Object::State& s, const ProgramSpec& p, const LoadOptions& options);
// Fills prog-array slots declared in the object (after programs are loaded).
Result<void> fill_prog_arrays(Object::State& s);

// Loads a raw BTF blob (host byte order). Errors carry the kernel's BTF verifier log.
Result<UniqueFd> load_btf_blob(std::span<const std::byte> blob);

}  // namespace detail
}  // namespace ebpf
