// SPDX-License-Identifier: MIT
// Object: a loaded eBPF object. It owns the object's maps (created at load) and programs (loaded on demand).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>
#include <ebpf/map.hpp>
#include <ebpf/maps/global.hpp>
#include <ebpf/program.hpp>
#include <ebpf/struct_ops.hpp>
#include <ebpf/spec.hpp>

namespace ebpf {

// A new value for a global variable (in .data, .rodata, .bss or a custom data section), applied before load.
struct GlobalValue {
    std::string name;
    std::vector<std::byte> value;  // must be exactly the variable's size

    template <class T>
    static GlobalValue of(std::string name, const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* p = reinterpret_cast<const std::byte*>(&v);
        return {std::move(name), std::vector<std::byte>(p, p + sizeof(T))};
    }
};

// How to load an object. Aggregate: use designated initializers, e.g. {.log_level = 2}.
struct LoadOptions {
    // Directory for maps declared with __uint(pinning, LIBBPF_PIN_BY_NAME).
    std::string pin_root = "/sys/fs/bpf";
    // Verifier log level for every program (1: basic, 2: verbose, 4: stats). 0 collects a log only on failure.
    std::uint32_t log_level = 0;
    // Load every program whose section has no '?' prefix, and fill prog-array slots, as part of load.
    bool load_programs = false;
    // Initial values for globals (checked against the variable's size).
    std::vector<GlobalValue> globals{};
    // max_entries overrides by map name.
    std::vector<std::pair<std::string, std::uint32_t>> max_entries{};
    // Programs to load (true) or skip (false) in load_programs(), overriding the '?' section prefix.
    std::vector<std::pair<std::string, bool>> autoload{};
    // Program types for programs whose section name ebpf-cxx does not know (or to override a known one), by name.
    struct ProgramTypeOverride {
        std::string program;
        ProgramType type;
        std::optional<AttachType> expected_attach_type{};
    };
    std::vector<ProgramTypeOverride> program_types{};
    // CO-RE target: a BTF file (raw, or ELF with .BTF) describing the kernel the programs will run on, for
    // kernels without /sys/kernel/btf/vmlinux. Empty: the running kernel's BTF.
    std::string target_btf{};
    // Kernel config text for .kconfig externs, instead of /proc/config.gz or /boot/config-$(uname -r).
    std::string kconfig{};
};

// Reads and parses an object file (no kernel objects are created); an empty options.name becomes the file's name up
// to its first '.' (as libbpf names objects). Errors: Io, NotFound, and parse errors. With options.collect_problems, what only stops a load
// is in ObjectSpec::problems instead (Object::load refuses such a spec: MalformedObject naming the first problem).
Result<ObjectSpec> parse_object_file(const char* path, const ParseOptions& options = {});

// Object is a loaded eBPF object: the maps it created and the programs it prepared (loaded on demand).
// Ownership: move-only. It holds a handle to each map and program; handing one out (program(), map(), the
//   typed views) shares it, so a map view or a program can outlive the Object. take_map()/take_program() remove
//   one from the Object (it then no longer keeps it open). A program keeps the maps it references open until it
//   is loaded, whatever happens to them here.
// Thread safety: loading distinct objects concurrently is safe. On one Object, const members may be called
//   concurrently; load_programs(), take_*(), write_global() and the programs' configuration and load() must not
//   run concurrently with anything else on it. Map element access through its handles is always concurrent-safe.
class Object {
public:
    // Parses the object, creates its maps (global data initialised, .rodata frozen) and loads its BTF.
    // Programs are prepared but not loaded: call Program::load() (or load_programs()).
    // Errors carry the file name and the failing step, e.g.
    //   "load counter.bpf.o: create map 'counts' (hash, ...): BPF_MAP_CREATE: Operation not permitted (errno 1)".
    static Result<Object> load_file(const char* path, const LoadOptions& options = {});
    static Result<Object> load(std::span<const std::byte> elf, const LoadOptions& options = {},
                               std::string_view name = "object");
    static Result<Object> load(const ObjectSpec& spec, const LoadOptions& options = {});

    Object(Object&&) noexcept;
    Object& operator=(Object&&) noexcept;
    ~Object();

    const ObjectSpec& spec() const noexcept;
    // The object's programs and maps, in the object's order, without those taken out. Copying an element
    // shares it (see Map, Program); nothing here can empty the Object's handles.
    std::span<Program> programs() noexcept;
    std::span<const Program> programs() const noexcept;
    std::span<Map> maps() noexcept;
    std::span<const Map> maps() const noexcept;
    // The handle by name, or null (no copy made).
    Program* find_program(std::string_view name) noexcept;
    const Program* find_program(std::string_view name) const noexcept;
    Map* find_map(std::string_view name) noexcept;
    const Map* find_map(std::string_view name) const noexcept;

    // A handle to a program, shared with the Object. Errors: NotFound (naming the programs it has, or saying it
    // was taken out).
    Result<Program> program(std::string_view name) const;
    // A typed view of a program, e.g. program<CgroupSkb>("ingress_filter"). Errors: NotFound, InvalidArgument
    // (another kind of program).
    template <class View>
    Result<View> program(std::string_view name) const {
        const Program* p = find_program(name);
        if (!p) return not_found("program", name);
        return View::from(*p);
    }
    // A handle to a map, shared with the Object. Errors: NotFound.
    Result<Map> map(std::string_view name) const;
    // A typed view of a map, e.g. map<HashMap<std::uint32_t, std::uint64_t>>("counts"). The view shares the
    // map: it stays usable after the Object is gone. Errors: NotFound, InvalidArgument (type or sizes differ).
    template <class View>
    Result<View> map(std::string_view name) const {
        const Map* m = find_map(name);
        if (!m) return not_found("map", name);
        return View::from(*m);
    }
    // Removes a program or map from the Object and returns its handle: the Object no longer lists or keeps it.
    // Errors: NotFound.
    Result<Program> take_program(std::string_view name);
    Result<Map> take_map(std::string_view name);

    // A struct_ops variable of the object (SEC(".struct_ops"), SEC(".struct_ops.link")): its map and programs, laid
    // out as the running kernel's struct; attach() registers it. See StructOps.
    // Errors: NotFound (no such variable; its map or a program of it was taken out of the object).
    Result<StructOps> struct_ops(std::string_view name) const;
    // Registers every struct_ops variable of the object, in the object's order (what libbpf's skeletons do when
    // attaching): the struct_ops counterpart of auto_attach(). On an error the Links made so far are dropped
    // (unregistering them) and the error names the variable.
    Result<std::vector<Link>> attach_struct_ops() const;

    // Loads every program that is not marked '?' (no autoload), then fills prog-array slots.
    Result<void> load_programs();

    // Reads or writes a global variable through its data map (system calls: a lookup, or a lookup and an update
    // of the whole section). Errors: NotFound, InvalidArgument (size), Permission (writing a frozen .rodata).
    Result<void> read_global(std::string_view name, std::span<std::byte> out) const;
    Result<void> write_global(std::string_view name, std::span<const std::byte> value);
    // A typed, reference-like view of a global variable after load, e.g. global<std::uint64_t>("packets"):
    // reads and writes go to the section's mapped memory (atomically where T allows), or through system calls
    // where the kernel cannot map it (see Global). The view shares the section map: it may outlive the Object.
    // .rodata/.kconfig variables are read-only (set() says Permission).
    // Errors: NotFound (no such variable, or its section map was taken out), InvalidArgument (T's size differs
    // from the variable's), the mmap failure.
    template <class T>
    Result<Global<T>> global(std::string_view name) const {
        static_assert(std::is_trivially_copyable_v<T>, "globals are read and written as bytes");
        auto ref = global_ref(name);
        if (!ref) return std::move(ref).error();
        return Global<T>::from(std::move(*ref));
    }
    // The untyped part of global(): where the variable lives.
    Result<detail::GlobalRef> global_ref(std::string_view name) const;

    // The object's BTF in the kernel (invalid if the kernel has no BTF support or the object has none).
    FdRef btf_fd() const noexcept;
    // Things that did not stop the load but lose something, e.g. "object BTF rejected by the kernel: ...;
    // loading without func/line info". Empty when everything loaded as written.
    const std::vector<std::string>& warnings() const noexcept;

    struct State;  // opaque; defined in lib/loader

private:
    explicit Object(std::unique_ptr<State> s);
    // load() of a spec the Object may keep: load_file() and load(elf) move the spec they parsed in, so a binary
    // that only loads files carries no copy of an ObjectSpec.
    static Result<Object> load_spec(ObjectSpec spec, const LoadOptions& options);
    Error not_found(const char* what, std::string_view name) const;
    std::unique_ptr<State> s_;
};

}  // namespace ebpf
