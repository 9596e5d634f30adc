// SPDX-License-Identifier: MIT
// ebpf-tool gen skeleton OBJECT [--name NAME] [-o HEADER]: a C++ header that embeds an object file and gives typed
// access to it: a typed view per program (by section kind) and per map (key and value types from the object's
// BTF, emitted as C++ types with static_asserts on their layout), the global variables of .rodata/.data/.bss and
// custom data sections as typed members (initial values settable before load, Global<T> views after), load(),
// attach() (auto-attach) and detaching destruction.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <ebpf/ebpf.hpp>

#include "commands.hpp"
#include "file_io.hpp"

// The tool sees only the public headers: its own early-return helpers.
#define SKEL_CONCAT2(a, b) a##b
#define SKEL_CONCAT(a, b) SKEL_CONCAT2(a, b)
#define SKEL_TRY(expr)                                  \
    do {                                                \
        auto skel_r = (expr);                           \
        if (!skel_r) return std::move(skel_r).error();  \
    } while (0)
#define SKEL_TRY_ASSIGN(decl, expr) SKEL_TRY_ASSIGN_IMPL(SKEL_CONCAT(skel_tmp_, __LINE__), decl, expr)
#define SKEL_TRY_ASSIGN_IMPL(tmp, decl, expr)        \
    auto tmp = (expr);                                \
    if (!tmp) return std::move(tmp).error();          \
    decl = std::move(tmp).value()

namespace ebpf::tool {

namespace {

// A C/C++ identifier from any name: other characters become '_', a leading digit gets a '_' prefix.
std::string skel_identifier(std::string_view s) {
    std::string out;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out += ok ? c : '_';
    }
    while (!out.empty() && out.front() == '_' && out.size() > 1 && out[1] == '_') out.erase(0, 1);
    if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "_");
    return out;
}

bool is_cxx_keyword(std::string_view s) {
    static constexpr std::string_view kWords[] = {
        "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char", "class", "concept",
        "const", "consteval", "constexpr", "constinit", "continue", "decltype", "default", "delete", "do", "double",
        "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline",
        "int", "long", "mutable", "namespace", "new", "noexcept", "not", "nullptr", "operator", "or", "private",
        "protected", "public", "register", "requires", "return", "short", "signed", "sizeof", "static",
        "static_assert", "struct", "switch", "template", "this", "throw", "true", "try", "typedef", "typeid",
        "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "while", "xor"};
    for (std::string_view w : kWords)
        if (s == w) return true;
    return false;
}

// The typed view class of a program, by the kind its section gives (ebpf::Program when there is none).
std::string_view program_view(ProgramKind k) {
    switch (k) {
    case ProgramKind::Kprobe:
    case ProgramKind::Kretprobe: return "ebpf::KProbe";
    case ProgramKind::KprobeMulti:
    case ProgramKind::KretprobeMulti:
    case ProgramKind::KprobeSession: return "ebpf::KProbeMulti";
    case ProgramKind::Ksyscall:
    case ProgramKind::Kretsyscall: return "ebpf::KSyscall";
    case ProgramKind::Uprobe:
    case ProgramKind::Uretprobe: return "ebpf::UProbe";
    case ProgramKind::UprobeMulti:
    case ProgramKind::UretprobeMulti:
    case ProgramKind::UprobeSession: return "ebpf::UProbeMulti";
    case ProgramKind::Usdt: return "ebpf::Usdt";
    case ProgramKind::Tracepoint: return "ebpf::Tracepoint";
    case ProgramKind::RawTracepoint:
    case ProgramKind::RawTracepointWritable: return "ebpf::RawTracepoint";
    case ProgramKind::TpBtf: return "ebpf::BtfTracepoint";
    case ProgramKind::Fentry:
    case ProgramKind::Fexit:
    case ProgramKind::FmodRet: return "ebpf::Tracing";
    case ProgramKind::Freplace: return "ebpf::Freplace";
    case ProgramKind::Lsm: return "ebpf::Lsm";
    case ProgramKind::LsmCgroup: return "ebpf::LsmCgroup";
    case ProgramKind::Iter: return "ebpf::Iter";
    case ProgramKind::Syscall: return "ebpf::Syscall";
    case ProgramKind::PerfEvent: return "ebpf::PerfEvent";
    case ProgramKind::Xdp:
    case ProgramKind::XdpDevmap:
    case ProgramKind::XdpCpumap: return "ebpf::Xdp";
    case ProgramKind::Tc:
    case ProgramKind::Tcx:
    case ProgramKind::TcAction: return "ebpf::Tc";
    case ProgramKind::Netkit: return "ebpf::Netkit";
    case ProgramKind::FlowDissector: return "ebpf::FlowDissector";
    case ProgramKind::CgroupSkb: return "ebpf::CgroupSkb";
    case ProgramKind::SkLookup: return "ebpf::SkLookup";
    case ProgramKind::Netfilter: return "ebpf::Netfilter";
    default: return "ebpf::Program";
    }
}

class SkeletonWriter {
public:
    SkeletonWriter(const ObjectSpec& spec, std::vector<std::byte> elf, std::string name)
        : spec_(spec), elf_(std::move(elf)), name_(std::move(name)), ns_(name_ + "_skel") {}

    Result<std::string> run() {
        // Types first: what the members need decides which BTF types the header declares.
        std::string programs, maps, init_structs, views, load_body, load_args, view_structs;
        for (const ProgramSpec& p : spec_.programs) {
            const std::string id = checked_member(p.name);
            const std::string view(program_view(p.kind));
            // Views outside the umbrella header <ebpf/ebpf.hpp>.
            if (view == "ebpf::UProbe" || view == "ebpf::UProbeMulti") extra_includes_.insert("ebpf/programs/uprobe.hpp");
            if (view == "ebpf::Usdt") extra_includes_.insert("ebpf/programs/usdt.hpp");
            programs += "        " + view + " " + id + ";  // SEC(\"" + p.section + "\")\n";
            load_body += "        auto p_" + id + " = " +
                         (view == "ebpf::Program" ? "obj->program(\"" + p.name + "\")"
                                                  : "obj->program<" + view + ">(\"" + p.name + "\")") +
                         ";\n        if (!p_" + id + ") return std::move(p_" + id + ").error();\n";
            prog_args_ += (prog_args_.empty() ? "" : ", ") + std::string("std::move(*p_") + id + ")";
        }
        for (const MapSpec& m : spec_.maps) {
            if (m.kind != MapKind::User) continue;
            const std::string id = checked_member(m.name);
            SKEL_TRY_ASSIGN(const std::string view, map_view(m));
            maps += "        " + view + " " + id + ";  // " + std::string(to_string(m.type)) + ", max_entries " +
                    std::to_string(m.max_entries) + "\n";
            load_body += "        auto m_" + id + " = " +
                         (view == "ebpf::Map" ? "obj->map(\"" + m.name + "\")"
                                              : "obj->map<" + view + ">(\"" + m.name + "\")") +
                         ";\n        if (!m_" + id + ") return std::move(m_" + id + ").error();\n";
            map_args_ += (map_args_.empty() ? "" : ", ") + std::string("std::move(*m_") + id + ")";
        }
        SKEL_TRY(write_sections(init_structs, view_structs, load_body));
        SKEL_TRY_ASSIGN(std::string types, type_definitions());

        std::string h;
        h += "// Generated by ebpf-tool gen skeleton from " + spec_.name + ". Do not edit: regenerate it.\n";
        h += "// Ownership: " + name_ + " owns the loaded object and the links attach() made; destroying it detaches\n";
        h += "//   them. The program and map views share their kernel objects (copies may outlive the skeleton).\n";
        h += "// Thread safety: as ebpf::Object: load and attach from one thread; map and global access is concurrent-safe.\n";
        h += "// Kernel: what the object's programs and maps need; global data views are mmap-based on 5.5+.\n";
        h += "#pragma once\n\n#include <array>\n#include <cstddef>\n#include <cstdint>\n#include <cstring>\n#include <span>\n"
             "#include <utility>\n#include <vector>\n\n#include <ebpf/ebpf.hpp>\n";
        for (const std::string& inc : extra_includes_) h += "#include <" + inc + ">\n";
        h += "\n";
        // C declarations may use GNU extensions (anonymous structs, zero-length arrays, __int128): no -Wpedantic
        // noise in users' builds.
        h += "#if defined(__GNUC__)\n#pragma GCC diagnostic push\n#pragma GCC diagnostic ignored \"-Wpedantic\"\n#endif\n\n";
        h += "namespace " + ns_ + " {\n\n";
        h += "// The object's BTF types that the maps and globals use.\nnamespace types {\n" + types + "}  // namespace types\n\n";
        h += asserts_;
        h += "namespace detail {\n";
        h += "alignas(8) inline constexpr unsigned char kObject[" + std::to_string(elf_.size()) + "] = {\n" +
             byte_array(elf_) + "};\n";
        h += data_arrays_;
        h += "template <class T>\ninline T initial_value(const unsigned char* p) noexcept {\n"
             "    T v;\n    std::memcpy(static_cast<void*>(&v), p, sizeof(T));\n    return v;\n}\n";
        h += "}  // namespace detail\n\n";
        h += "class " + name_ + " {\npublic:\n";
        h += init_structs;
        h += "    // How to load: initial values of the globals (the only way to set .rodata) and ebpf::LoadOptions\n"
             "    // (pin_root, log_level, ...; its load_programs is forced on and its globals come from the members).\n";
        h += "    struct Options {\n" + options_members_ + "        ebpf::LoadOptions load{};\n    };\n";
        h += "    struct Programs {\n" + programs + "    };\n";
        h += "    struct Maps {\n" + maps + "    };\n";
        h += view_structs;
        h += "\n    // Loads the embedded object: maps created with the globals of `options`, every autoload program loaded.\n"
             "    // Errors: what ebpf::Object::load and the views' from() report, naming the object, program or map.\n"
             "    static ebpf::Result<" + name_ + "> load(const Options& options);\n"
             "    static ebpf::Result<" + name_ + "> load();  // with the object's initial values\n";
        h += "    // Attaches every program whose section names its target (ebpf::auto_attach); programs that need a target\n"
             "    // the section cannot give (cgroup, interface, syscall, ...) are skipped unless `options` gives it.\n"
             "    // Returns how many it attached. Errors: the first attach failure (what was attached stays attached).\n"
             "    ebpf::Result<std::size_t> attach(const ebpf::AutoAttachOptions& options = {});\n";
        h += "    // Detaches everything attach() attached.\n    void detach() noexcept { links_.clear(); }\n";
        h += "    std::span<ebpf::Link> links() noexcept { return links_; }\n";
        h += "    ebpf::Object& object() noexcept { return obj_; }\n    const ebpf::Object& object() const noexcept { return obj_; }\n";
        h += "    // The embedded object file.\n    static std::span<const std::byte> elf_bytes() noexcept {\n"
             "        return std::as_bytes(std::span<const unsigned char>(detail::kObject));\n    }\n\n";
        h += "    Programs progs;\n    Maps maps;\n" + view_members_;
        h += "\nprivate:\n";
        h += "    " + name_ + "(ebpf::Object obj, Programs p, Maps m" + view_params_ + ")\n        : progs(std::move(p)), maps(std::move(m))" +
             view_inits_ + ", obj_(std::move(obj)) {}\n";
        h += "    ebpf::Object obj_;\n    std::vector<ebpf::Link> links_;  // last: destroyed (detached) first\n};\n\n";
        h += "inline ebpf::Result<" + name_ + "> " + name_ + "::load(const Options& options) {\n";
        h += "    ebpf::LoadOptions lo = options.load;\n    lo.load_programs = true;\n" + globals_setup_;
        h += "    auto obj = ebpf::Object::load(elf_bytes(), lo, \"" + spec_.name + "\");\n"
             "    if (!obj) return std::move(obj).error();\n";
        std::string body = load_body;
        // Indentation of the collected statements: 4 spaces inside the function.
        std::string fixed;
        for (std::size_t pos = 0; pos < body.size();) {
            std::size_t nl = body.find('\n', pos);
            std::string line = body.substr(pos, nl - pos);
            if (line.rfind("        ", 0) == 0) line.erase(0, 4);
            fixed += line + "\n";
            pos = nl + 1;
        }
        h += fixed;
        h += "    return " + name_ + "(std::move(*obj), Programs{" + prog_args_ + "}, Maps{" + map_args_ + "}" +
             view_args_ + ");\n}\n\n";
        h += "inline ebpf::Result<" + name_ + "> " + name_ + "::load() { return load(Options{}); }\n\n";
        h += "inline ebpf::Result<std::size_t> " + name_ + "::attach(const ebpf::AutoAttachOptions& options) {\n"
             "    std::size_t attached = 0;\n"
             "    for (const ebpf::Program& p : obj_.programs()) {\n"
             "        if (!p.loaded() || ebpf::auto_attach_blocker(p, options)) continue;\n"
             "        auto link = ebpf::auto_attach(p, options);\n"
             "        if (!link) return std::move(link).error();\n"
             "        links_.push_back(std::move(*link));\n"
             "        ++attached;\n    }\n    return attached;\n}\n\n";
        h += "}  // namespace " + ns_ + "\n\n#if defined(__GNUC__)\n#pragma GCC diagnostic pop\n#endif\n";
        return h;
    }

private:
    std::string checked_member(std::string_view name) {
        std::string id = skel_identifier(name);
        if (is_cxx_keyword(id) || id == name_) id += "_";  // a member may not be named like its class
        return id;
    }

    static std::string byte_array(std::span<const std::byte> bytes) {
        std::string s;
        char buf[8];
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            if (i % 16 == 0) s += "    ";
            std::snprintf(buf, sizeof buf, "%u,", static_cast<unsigned>(bytes[i]));
            s += buf;
            s += (i % 16 == 15 || i + 1 == bytes.size()) ? "\n" : "";
        }
        return s;
    }

    static std::string int_type(std::uint32_t size, bool is_signed) {
        switch (size) {
        case 1: return is_signed ? "std::int8_t" : "std::uint8_t";
        case 2: return is_signed ? "std::int16_t" : "std::uint16_t";
        case 4: return is_signed ? "std::int32_t" : "std::uint32_t";
        case 8: return is_signed ? "std::int64_t" : "std::uint64_t";
        case 16: return is_signed ? "__int128" : "unsigned __int128";
        default: return "std::array<std::uint8_t, " + std::to_string(size) + ">";
        }
    }

    // The C++ spelling of a BTF type, for members of the generated class (declares named types through `types`).
    Result<std::string> cxx_type(btf::TypeId id, int depth = 0) {
        if (!spec_.btf) return Error(Errc::NotSupported, "the object has no BTF (compile it with clang -g)");
        const btf::Spec& b = *spec_.btf;
        if (depth > 32) return Error(Errc::MalformedBtf, "type chain too deep");
        const btf::Type t = b.type_or_void(id);
        switch (t.kind()) {
        case btf::Kind::Void: return Error(Errc::InvalidArgument, "void has no C++ value type");
        case btf::Kind::Int:
            if (t.int_encoding() & btf::kIntBool) return std::string("bool");
            if (t.size() == 1 && (t.int_encoding() & btf::kIntChar)) return std::string("char");
            return int_type(t.size(), t.is_signed());
        case btf::Kind::Float: return std::string(t.size() == 4 ? "float" : t.size() == 8 ? "double" : "long double");
        case btf::Kind::Ptr: return std::string("std::uint64_t");  // a BPF-side pointer: 64 bits, not ours to follow
        case btf::Kind::Enum:
        case btf::Kind::Enum64:
            if (!t.name().empty() && t.kind() == btf::Kind::Enum && t.size() == 4) {
                roots_.insert(id);
                return "types::" + std::string(t.name());
            }
            return int_type(t.size(), t.is_signed());
        case btf::Kind::Array: {
            const btf::ArrayInfo a = t.array();
            SKEL_TRY_ASSIGN(const std::string elem, cxx_type(a.elem_type, depth + 1));
            return "std::array<" + elem + ", " + std::to_string(a.nelems) + ">";
        }
        case btf::Kind::Struct:
        case btf::Kind::Union: {
            if (t.name().empty()) {
                SKEL_TRY_ASSIGN(const std::uint32_t size, b.resolve_size(id));
                return "std::array<std::uint8_t, " + std::to_string(size) + ">";  // an anonymous type: its bytes
            }
            roots_.insert(id);
            return "types::" + std::string(t.name());
        }
        case btf::Kind::Typedef: {
            auto under = b.skip_modifiers(id);
            if (!under) return std::move(under).error();
            if (under->kind() == btf::Kind::Struct || under->kind() == btf::Kind::Union) {
                roots_.insert(id);
                return "types::" + std::string(t.name());
            }
            return cxx_type(t.type(), depth + 1);
        }
        case btf::Kind::Const:
        case btf::Kind::Volatile:
        case btf::Kind::Restrict:
        case btf::Kind::TypeTag: return cxx_type(t.type(), depth + 1);
        default:
            return Error(Errc::NotSupported,
                         "BTF type " + std::to_string(id) + " (" + std::string(btf::to_string(t.kind())) +
                             ") has no C++ value type");
        }
    }

    // The C++ type of a map's key or value: from BTF when the object has it, else the bytes.
    Result<std::string> part_type(btf::TypeId id, std::uint32_t size, const MapSpec& m, const char* what) {
        if (spec_.btf && id != 0) {
            auto t = cxx_type(id);
            if (!t) return std::move(t).error().context("map '" + m.name + "' " + what);
            size_asserts_.emplace_back(*t, size, "map '" + m.name + "' " + what);
            return t;
        }
        return "std::array<std::uint8_t, " + std::to_string(size) + ">";
    }

    Result<std::string> map_view(const MapSpec& m) {
        switch (m.type) {
        case MapType::Hash:
        case MapType::LruHash: {
            SKEL_TRY_ASSIGN(const std::string k, part_type(m.key_type, m.key_size, m, "key"));
            SKEL_TRY_ASSIGN(const std::string v, part_type(m.value_type, m.value_size, m, "value"));
            return "ebpf::HashMap<" + k + ", " + v + ">";
        }
        case MapType::PercpuHash:
        case MapType::LruPercpuHash: {
            SKEL_TRY_ASSIGN(const std::string k, part_type(m.key_type, m.key_size, m, "key"));
            SKEL_TRY_ASSIGN(const std::string v, part_type(m.value_type, m.value_size, m, "value"));
            return "ebpf::PerCpuHashMap<" + k + ", " + v + ">";
        }
        case MapType::Array:
        case MapType::PercpuArray: {
            if (m.key_size != 4) return std::string("ebpf::Map");
            SKEL_TRY_ASSIGN(const std::string v, part_type(m.value_type, m.value_size, m, "value"));
            return std::string(m.type == MapType::Array ? "ebpf::Array<" : "ebpf::PerCpuArray<") + v + ">";
        }
        case MapType::Queue:
        case MapType::Stack: {
            SKEL_TRY_ASSIGN(const std::string v, part_type(m.value_type, m.value_size, m, "value"));
            return std::string(m.type == MapType::Queue ? "ebpf::Queue<" : "ebpf::Stack<") + v + ">";
        }
        case MapType::ProgArray: return std::string("ebpf::ProgArray");
        case MapType::PerfEventArray: return std::string("ebpf::PerfEventArray");
        default: return std::string("ebpf::Map");
        }
    }

    // Per data section: an Init struct of initial values (settable before load) and a struct of Global<T> views.
    Result<void> write_sections(std::string& init_structs, std::string& view_structs, std::string& load_body) {
        std::map<std::string, std::vector<const VariableSpec*>> by_section;
        std::vector<std::string> order;
        for (const VariableSpec& v : spec_.variables) {
            if (v.is_static || v.type == 0) continue;
            const MapSpec* m = find_map(v.map);
            if (!m || m->kind == MapKind::Kconfig || m->kind == MapKind::User) continue;
            if (!by_section.count(v.map)) order.push_back(v.map);
            by_section[v.map].push_back(&v);
        }
        for (const std::string& section : order) {
            const MapSpec& m = *find_map(section);
            const std::string sec_id = checked_member(section.starts_with(".") ? section.substr(1) : section);
            std::string type_name = sec_id;
            for (std::size_t i = 0; i < type_name.size(); ++i)
                if (i == 0 || type_name[i - 1] == '_') type_name[i] = static_cast<char>(std::toupper(type_name[i]));
            std::erase(type_name, '_');
            const std::string init_array = "kInit_" + sec_id;
            std::vector<std::byte> contents = m.contents;
            contents.resize(m.value_size);
            data_arrays_ += "inline constexpr unsigned char " + init_array + "[" + std::to_string(contents.size() ? contents.size() : 1) +
                            "] = {\n" + (contents.empty() ? std::string("    0,\n") : byte_array(contents)) + "};\n";
            std::string init = "    // " + section + ": initial values, from the object; set them before load()" +
                               (m.kind == MapKind::Rodata ? " (read-only afterwards)" : "") + ".\n";
            init += "    struct " + type_name + "Init {\n";
            std::string views = "    // " + section + " after load: each variable where the programs see it" +
                                (m.kind == MapKind::Rodata ? " (read-only: get() only)" : " (get() and set())") + ".\n";
            views += "    struct " + type_name + " {\n";
            std::string args;
            for (const VariableSpec* v : by_section[section]) {
                auto t = cxx_type(v->type);
                if (!t) return std::move(t).error().context("global '" + v->name + "' in " + section);
                const std::string id = checked_member(v->name);
                size_asserts_.emplace_back(*t, v->size, "global '" + v->name + "'");
                init += "        " + *t + " " + id + " = detail::initial_value<" + *t + ">(detail::" + init_array + " + " +
                        std::to_string(v->offset) + ");\n";
                views += "        ebpf::Global<" + *t + "> " + id + ";\n";
                globals_setup_ += "    lo.globals.push_back(ebpf::GlobalValue::of(\"" + v->name + "\", options." + sec_id + "." + id + "));\n";
                load_body += "        auto g_" + sec_id + "_" + id + " = obj->global<" + *t + ">(\"" + v->name +
                             "\");\n        if (!g_" + sec_id + "_" + id + ") return std::move(g_" + sec_id + "_" + id +
                             ").error();\n";
                args += (args.empty() ? "" : ", ") + std::string("std::move(*g_") + sec_id + "_" + id + ")";
            }
            init += "    };\n";
            views += "    };\n";
            init_structs += init;
            view_structs += views;
            options_members_ += "        " + type_name + "Init " + sec_id + "{};\n";
            view_members_ += "    " + type_name + " " + sec_id + ";\n";
            view_params_ += ", " + type_name + " " + sec_id + "_";
            view_inits_ += ", " + sec_id + "(std::move(" + sec_id + "_))";
            view_args_ += ", " + type_name + "{" + args + "}";
        }
        return {};
    }

    const MapSpec* find_map(const std::string& name) const {
        for (const MapSpec& m : spec_.maps)
            if (m.name == name) return &m;
        return nullptr;
    }

    // The C declarations of every type the members use (btf::dump_c), made C++-safe, and the layout checks.
    Result<std::string> type_definitions() {
        std::string out;
        if (!roots_.empty()) {
            btf::DumpCOptions opt;
            opt.roots.assign(roots_.begin(), roots_.end());
            opt.header_guard.clear();
            opt.preserve_access_index = false;
            auto c = btf::dump_c(*spec_.btf, opt);
            if (!c) return std::move(c).error().context("declare the object's BTF types");
            std::string text = std::move(*c);
            if (text.find("_Bool") != std::string::npos) out += "using _Bool = bool;\n";
            for (std::size_t pos; (pos = text.find(" restrict")) != std::string::npos;) text.replace(pos, 9, " __restrict");
            out += text;
            layout_asserts();
        }
        for (const auto& [type, size, what] : size_asserts_)
            asserts_ += "static_assert(sizeof(" + type + ") == " + std::to_string(size) + ", \"" + what +
                        ": the C++ type must have the object's size\");\n";
        if (!asserts_.empty()) asserts_ += "\n";
        return out;
    }

    // static_asserts on the size and member offsets of every named struct/union declared (roots and what they hold).
    void layout_asserts() {
        const btf::Spec& b = *spec_.btf;
        std::set<btf::TypeId> seen;
        std::vector<btf::TypeId> todo(roots_.begin(), roots_.end());
        while (!todo.empty()) {
            const btf::TypeId id = todo.back();
            todo.pop_back();
            if (!seen.insert(id).second) continue;
            auto t = b.skip_modifiers(id);
            if (!t || !t->is_composite()) continue;
            const btf::Type named = b.type_or_void(id);
            // The C name: "struct x" for a tagged type, the typedef's name for a typedef.
            std::string cname;
            if (named.kind() == btf::Kind::Typedef) cname = "types::" + std::string(named.name());
            else if (!t->name().empty()) cname = std::string(t->kind() == btf::Kind::Union ? "union " : "struct ") + "types::" + std::string(t->name());
            else continue;
            asserts_ += "static_assert(sizeof(" + cname + ") == " + std::to_string(t->size()) + ", \"layout of " + cname + "\");\n";
            for (std::uint16_t i = 0; i < t->vlen(); ++i) {
                const btf::Member mem = t->member(i);
                auto mt = b.skip_modifiers(mem.type);
                if (mt && mt->is_composite() && !mt->name().empty()) todo.push_back(mt->id());
                if (mem.name.empty() || mem.bitfield_size != 0 || mem.bit_offset % 8 != 0) continue;
                asserts_ += "static_assert(offsetof(" + cname + ", " + std::string(mem.name) + ") == " +
                            std::to_string(mem.bit_offset / 8) + ", \"layout of " + cname + "\");\n";
            }
        }
    }

    const ObjectSpec& spec_;
    std::vector<std::byte> elf_;
    std::string name_, ns_;
    std::set<btf::TypeId> roots_;
    std::set<std::string> extra_includes_;
    std::vector<std::tuple<std::string, std::uint32_t, std::string>> size_asserts_;
    std::string asserts_, data_arrays_, options_members_, view_members_, view_params_, view_inits_, view_args_;
    std::string globals_setup_, prog_args_, map_args_;
};

int gen_skeleton(std::span<const std::string_view> args) {
    std::string object, name, out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if ((a == "--name" || a == "-o") && i + 1 < args.size()) {
            (a == "--name" ? name : out) = std::string(args[++i]);
        } else if (a.starts_with("-")) {
            return usage_error("gen skeleton: unknown or incomplete option '" + std::string(a) + "'");
        } else if (object.empty()) {
            object = std::string(a);
        } else {
            return usage_error("gen skeleton: more than one OBJECT");
        }
    }
    if (object.empty()) return usage_error("gen skeleton: missing OBJECT");
    if (name.empty()) {
        std::string base = object.substr(object.find_last_of('/') == std::string::npos ? 0 : object.find_last_of('/') + 1);
        name = base.substr(0, base.find('.'));
    }
    // The class's own member and type names cannot name it.
    static constexpr std::string_view kTaken[] = {"progs", "maps", "load", "attach", "detach", "links", "object",
                                                  "elf_bytes", "Programs", "Maps", "Options", "detail", "types"};
    const bool from_file = std::find(args.begin(), args.end(), std::string_view("--name")) == args.end();
    for (std::string_view t : kTaken)
        if (name == t) {
            if (!from_file) return usage_error("gen skeleton: --name '" + name + "' is a member name of the skeleton class");
            name += "_obj";
        }
    if (from_file) name = skel_identifier(name);
    const std::string ident = skel_identifier(name);
    if (ident != name || is_cxx_keyword(name))
        return usage_error("gen skeleton: --name '" + name + "' is not a C++ identifier (try '" + ident + "_obj')");
    auto bytes = read_whole_file(object);
    if (!bytes) return fail("gen skeleton: " + std::string(bytes.error().message()));
    auto spec = parse_object_file(object.c_str());
    if (!spec) return fail("gen skeleton: " + std::string(spec.error().message()));
    auto header = SkeletonWriter(*spec, std::move(*bytes), name).run();
    if (!header) return fail("gen skeleton: " + object + ": " + std::string(header.error().message()));
    if (out.empty()) {
        if (std::fwrite(header->data(), 1, header->size(), stdout) != header->size() || std::fflush(stdout) != 0)
            return fail("gen skeleton: writing the header failed");
        return kExitOk;
    }
    if (auto r = write_file_atomically(out, std::as_bytes(std::span(header->data(), header->size()))); !r) return fail("gen skeleton: " + std::string(r.error().message()));
    return kExitOk;
}

}  // namespace

int cmd_gen(std::span<const std::string_view> args) {
    if (args.empty()) return usage_error("gen: missing subcommand (skeleton, object)");
    if (args[0] == "skeleton") return gen_skeleton(args.subspan(1));
    if (args[0] == "object") return cmd_link_objects(args.subspan(1));
    return usage_error("gen: unknown subcommand '" + std::string(args[0]) + "'");
}

}  // namespace ebpf::tool
