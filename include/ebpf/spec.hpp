// SPDX-License-Identifier: MIT
// ObjectSpec, ProgramSpec, MapSpec: the deterministic blueprint parsed from a clang-built eBPF object.
// Parsing is pure (no system calls): the same bytes always give the same spec, on any host.
// Thread safety: specs are plain values; parse() may run concurrently, a const spec may be read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/btf.hpp>
#include <ebpf/error.hpp>
#include <ebpf/types.hpp>

namespace ebpf {

// One eBPF instruction with the registers decoded (object files of either byte order decode the same).
struct Instruction {
    std::uint8_t code = 0;
    std::uint8_t dst = 0;
    std::uint8_t src = 0;
    std::int16_t off = 0;
    std::int32_t imm = 0;

    bool is_ld_imm64() const noexcept { return code == 0x18; }
    bool is_call() const noexcept { return code == 0x85; }
    bool operator==(const Instruction&) const = default;
};

// BPF_PSEUDO_* values carried in src_reg.
inline constexpr std::uint8_t kPseudoMapFd = 1, kPseudoMapValue = 2, kPseudoBtfId = 3, kPseudoFunc = 4,
                              kPseudoMapIdx = 5, kPseudoMapIdxValue = 6;
inline constexpr std::uint8_t kPseudoCall = 1, kPseudoKfuncCall = 2;

// BPF_F_* program flags (prog_flags of BPF_PROG_LOAD).
inline constexpr std::uint32_t kProgSleepable = 1u << 4, kProgXdpHasFrags = 1u << 5;

// A reference from an ld_imm64 instruction to a map (its fd) or into a map's value (global data).
struct MapReloc {
    enum class Kind : std::uint8_t { Fd, Value };
    std::uint32_t insn = 0;       // index of the ld_imm64 in ProgramSpec::instructions
    std::uint32_t map = 0;        // index into ObjectSpec::maps
    Kind kind = Kind::Fd;
    std::uint32_t offset = 0;     // byte offset into the value (Kind::Value)
    std::string symbol;           // for error messages
};

// A CO-RE relocation record rebased onto the program's final instruction layout.
struct CoreReloc {
    std::uint32_t id = 0;         // the record's position in the object's .BTF.ext (shared by subprogram copies)
    std::uint32_t insn = 0;
    btf::TypeId type = 0;         // local type in the object's BTF
    std::string access;           // access string, e.g. "0:1:2"
    btf::CoreReloKind kind = btf::CoreReloKind::FieldByteOffset;
};

// A reference to an extern (.kconfig/.ksyms symbol) that the loader resolves against the running kernel.
struct ExternReloc {
    std::uint32_t insn = 0;
    std::uint32_t ext = 0;        // index into ObjectSpec::externs
    std::int32_t offset = 0;      // addend (ld_imm64 imm)
};

// A function of a program: the entry function, or a subprogram appended to it (BPF-to-BPF calls, callbacks).
struct FunctionSpec {
    std::string name;             // its ELF symbol
    std::uint32_t insn = 0;       // index of its first instruction in ProgramSpec::instructions
};

struct ProgramSpec {
    std::string name;             // the C function name
    std::string section;          // its ELF section (the SEC() name, without a leading '?')
    ProgramKind kind = ProgramKind::Unknown;  // the section family (kprobe, kretprobe, fentry, tp_btf, xdp, ...)
    ProgramType type = ProgramType::Unspec;
    std::optional<AttachType> expected_attach_type;
    std::uint32_t flags = 0;      // kProgSleepable, kProgXdpHasFrags
    bool autoload = true;         // false for SEC("?...")
    bool attach_btf = false;      // fentry/fexit/tp_btf/lsm/iter: attach_to names a kernel BTF object
    std::string attach_to;        // text after the section prefix: "ingress", "do_unlinkat", "sched/sched_switch"
    std::string license;
    std::uint32_t kern_version = 0;
    std::vector<Instruction> instructions;   // entry function followed by the subprograms it uses
    std::vector<MapReloc> map_relocs;
    std::vector<CoreReloc> core_relocs;
    std::vector<ExternReloc> extern_relocs;
    std::vector<btf::FuncInfo> func_info;     // insn_off in instructions, not bytes
    std::vector<btf::LineInfo> line_info;     // insn_off in instructions, not bytes
    std::uint32_t entry_instructions = 0;     // length of the entry function alone
    std::vector<FunctionSpec> functions;      // entry function first, then each subprogram where it was placed
};

enum class PinType : std::uint8_t { None = 0, ByName = 1 };

enum class MapKind : std::uint8_t {
    User,     // declared in SEC(".maps") (or the legacy "maps" section)
    Data,     // .data, .data.*
    Rodata,   // .rodata, .rodata.* (frozen after initialisation)
    Bss,      // .bss, .bss.* (zero-initialised)
    Kconfig,  // .kconfig externs (filled in by the loader)
};

struct MapSpec {
    std::string name;             // C name, or the section name for global data (".rodata", ".data.counters")
    MapType type = MapType::Unspec;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
    std::uint32_t max_entries = 0;
    std::uint32_t flags = 0;
    std::uint64_t map_extra = 0;
    std::uint32_t numa_node = 0;
    PinType pinning = PinType::None;
    MapKind kind = MapKind::User;
    btf::TypeId key_type = 0;     // object BTF ids (0: none)
    btf::TypeId value_type = 0;
    std::vector<std::byte> contents;  // initial value of global-data maps (value_size bytes; empty: all zero)
    std::shared_ptr<const MapSpec> inner;  // template of the inner map for *_OF_MAPS
    // Initial slots of a map-in-map or prog array: (index, name of the map or program).
    std::vector<std::pair<std::uint32_t, std::string>> initial_slots;
    std::uint32_t section_offset = 0;  // offset of the definition inside .maps (relocation lookup)
};

// A global variable in a data section, as the C code declared it.
struct VariableSpec {
    std::string name;
    std::string map;              // the MapSpec holding it (".data", ".rodata", ".bss", ...)
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
    btf::TypeId type = 0;
    bool is_static = false;       // static or hidden: not meant to be set from user space
};

// Unresolved: declared outside .kconfig and .ksyms, so nothing can resolve it; only a spec parsed with
// ParseOptions::collect_problems has one (ObjectSpec::problems says why), and loading such a spec fails.
enum class ExternKind : std::uint8_t { Kconfig, Ksym, Unresolved };

struct ExternSpec {
    std::string name;
    ExternKind kind = ExternKind::Kconfig;
    bool weak = false;
    bool is_func = false;          // a kfunc (.ksyms FUNC)
    btf::TypeId btf_id = 0;        // VAR or FUNC in the object BTF (0: untyped)
    btf::TypeId type = 0;          // the VAR's type / the FUNC's prototype
    std::uint32_t offset = 0;      // .kconfig: offset in the .kconfig map
    std::uint32_t size = 0;
};

// A struct_ops variable: SEC(".struct_ops") or SEC(".struct_ops.link"), a kernel struct of function pointers and
// data (struct tcp_congestion_ops, struct sched_ext_ops, ...) filled with the object's struct_ops programs. It
// becomes a BPF_MAP_TYPE_STRUCT_OPS map of the same name in ObjectSpec::maps (value_size: the object's struct; the
// loader sizes it to the kernel's value type).
struct StructOpsSpec {
    struct Slot {
        std::string member;           // the function-pointer member
        std::uint32_t offset = 0;     // its byte offset in the object's struct
        std::string program;          // the program it points to
    };
    std::string name;                 // the variable, and its map
    std::string type_name;            // the struct's name, looked up in the kernel's BTF ("tcp_congestion_ops")
    btf::TypeId type = 0;             // the struct in the object's BTF
    std::string section;              // ".struct_ops" or ".struct_ops.link"
    bool link = false;                // .struct_ops.link: registered with a bpf_link (BPF_F_LINK)
    std::vector<std::byte> data;      // the variable's bytes in the object's layout (program slots are zero)
    std::vector<Slot> programs;       // function-pointer members set to programs, by offset
};

struct ParseOptions {
    // Name of the object (for messages and kernel map names); defaults to "object".
    std::string name{};
    // Describe rather than refuse: what would only stop the object from loading (an extern declared outside
    // .kconfig and .ksyms, which nothing can resolve) is recorded in ObjectSpec::problems instead of failing the
    // parse. For tools that show an object (ebpf-tool inspect); loading a spec with problems fails.
    bool collect_problems = false;
};

// Why a spec parsed with ParseOptions::collect_problems cannot be loaded.
struct ObjectProblem {
    std::string subject;          // what is wrong: "extern 'foo'"
    std::string reason;           // why: "is not declared in .kconfig or .ksyms (use __kconfig or __ksym)"
};

class ObjectSpec {
public:
    // Parses a relocatable eBPF ELF object. Errors: MalformedElf, MalformedBtf, MalformedObject, Relocation,
    // each naming the object and the section/symbol/instruction that was wrong.
    static Result<ObjectSpec> parse(std::span<const std::byte> elf, const ParseOptions& options = {});

    std::string name;
    std::string license;
    std::uint32_t kern_version = 0;
    bool big_endian = false;
    std::vector<ProgramSpec> programs;
    std::vector<MapSpec> maps;
    std::vector<VariableSpec> variables;
    std::vector<ExternSpec> externs;
    std::vector<StructOpsSpec> struct_ops;
    std::optional<btf::Spec> btf;  // with DATASEC sizes and offsets filled in
    std::uint32_t func_info_rec_size = 8, line_info_rec_size = 16;
    std::uint32_t core_relo_count = 0;  // records in .BTF.ext; CoreReloc::id is below this
    std::vector<ObjectProblem> problems;  // only with ParseOptions::collect_problems; empty: nothing found

    const ProgramSpec* program(std::string_view name) const noexcept;
    const MapSpec* map(std::string_view name) const noexcept;
    ProgramSpec* program(std::string_view name) noexcept;
    MapSpec* map(std::string_view name) noexcept;
    std::optional<std::uint32_t> map_index(std::string_view name) const noexcept;
};

}  // namespace ebpf
