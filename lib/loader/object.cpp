// SPDX-License-Identifier: MIT
// Object loading: parse -> options -> BTF -> maps -> programs, each step adding its context to errors.
#include <ebpf/object.hpp>

#include <unistd.h>

#include <cstring>
#include <utility>

#include "base/bytes.hpp"
#include "base/format.hpp"
#include "base/try.hpp"
#include "loader/state.hpp"
#include "sys/proc.hpp"

namespace ebpf {

using detail::format;

namespace {

// libbpf names an object after its file, up to the first '.' ("counter.bpf.o" -> "counter").
std::string object_name_of(std::string_view path) {
    const auto slash = path.rfind('/');
    std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
    return std::string(base.substr(0, base.find('.')));
}

std::string_view basename_of(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

Object::Object(std::unique_ptr<State> s) : s_(std::move(s)) {}
Object::Object(Object&&) noexcept = default;
Object& Object::operator=(Object&&) noexcept = default;
Object::~Object() = default;

Result<ObjectSpec> parse_object_file(const char* path, const ParseOptions& options) {
    auto bytes = sys::read_file(path);
    if (!bytes) return std::move(bytes).error();
    ParseOptions po = options;
    if (po.name.empty()) po.name = object_name_of(path);
    auto spec = ObjectSpec::parse(*bytes, po);
    if (!spec) return std::move(spec).error();
    return spec;
}

Result<Object> Object::load_file(const char* path, const LoadOptions& options) {
    auto spec = parse_object_file(path);
    if (!spec) return std::move(spec).error().context(format("load %s", path));
    auto obj = load_spec(std::move(*spec), options);
    if (!obj) {
        // load() names the object by its short name; say which file it was.
        return std::move(obj).error().context(format("load %.*s", EBPF_SV(basename_of(path))));
    }
    obj->s_->display_name = std::string(basename_of(path));
    return obj;
}

Result<Object> Object::load(std::span<const std::byte> elf, const LoadOptions& options, std::string_view name) {
    ParseOptions po;
    po.name = std::string(name);
    auto spec = ObjectSpec::parse(elf, po);
    if (!spec) return std::move(spec).error();
    return load_spec(std::move(*spec), options).context(format("load %.*s", EBPF_SV(name)));
}

namespace {
// A failed load leaves nothing behind: maps and programs close with their fds, and pins this load created are
// removed (pins that existed before, and were reused, stay).
// It owns a copy of the list because the State moves into the Object (and dies with it) before the last step.
struct PinRollback {
    std::vector<std::string> pins;
    bool armed = true;
    ~PinRollback() {
        if (armed)
            for (const std::string& p : pins) ::unlink(p.c_str());
    }
};
}  // namespace

Result<Object> Object::load(const ObjectSpec& spec, const LoadOptions& options) { return load_spec(spec, options); }

Result<Object> Object::load_spec(ObjectSpec spec_in, const LoadOptions& options) {
    auto s = std::make_unique<State>();
    PinRollback rollback;
    // A spec parsed with ParseOptions::collect_problems may describe what cannot be loaded: refuse it here.
    if (!spec_in.problems.empty()) {
        const ObjectProblem& first = spec_in.problems.front();
        std::string more;
        if (spec_in.problems.size() > 1) more = format(" (and %zu more problems)", spec_in.problems.size() - 1);
        return Error(Errc::MalformedObject, first.subject + " " + first.reason + more);
    }
    s->display_name = spec_in.name;
    s->spec = std::move(spec_in);
    const bool host_big = detail::host_endian() == detail::Endian::Big;
    if (s->spec.big_endian != host_big)
        return Error(Errc::NotSupported,
                     format("object is %s-endian but this host is %s-endian (build it with clang -target bpf)",
                            s->spec.big_endian ? "big" : "little", host_big ? "big" : "little"));
    EBPF_TRY(detail::apply_spec_options(s->spec, options));
    s->autoload = options.autoload;
    EBPF_TRY(detail::resolve_kernel_deps(*s, options));
    EBPF_TRY(detail::load_object_btf(*s));
    EBPF_TRY(detail::layout_struct_ops(*s));
    auto maps = detail::create_maps(*s, options);
    rollback.pins = s->new_pins;
    if (!maps) return std::move(maps).error();
    s->programs.reserve(s->spec.programs.size());
    for (const ProgramSpec& p : s->spec.programs) {
        // A program that cannot be prepared (unknown section, failed CO-RE or extern) only fails when it is loaded:
        // the object's other programs stay usable, as with libbpf when that program is not autoloaded.
        auto prog = detail::prepare_program(*s, p, options);
        if (prog) {
            s->programs.push_back(std::move(*prog));
            continue;
        }
        ProgramDef stub;
        stub.name = p.name;
        stub.section = p.section;
        stub.kind = p.kind;
        stub.attach_target = p.attach_to;
        stub.type = p.type;
        stub.expected_attach_type = p.expected_attach_type;
        s->programs.push_back(Program::unloadable(std::move(stub), std::move(prog).error()));
    }
    Object obj(std::move(s));
    if (options.load_programs) EBPF_TRY(obj.load_programs());
    rollback.armed = false;
    return obj;
}

const ObjectSpec& Object::spec() const noexcept { return s_->spec; }
std::span<Program> Object::programs() noexcept { return s_->programs; }
std::span<const Program> Object::programs() const noexcept { return s_->programs; }
std::span<Map> Object::maps() noexcept { return s_->maps; }
std::span<const Map> Object::maps() const noexcept { return s_->maps; }
FdRef Object::btf_fd() const noexcept { return s_->btf ? FdRef(*s_->btf) : FdRef(-1); }
const std::vector<std::string>& Object::warnings() const noexcept { return s_->warnings; }

namespace {
template <class Vec>
auto find_named(Vec& v, std::string_view name) -> decltype(v.data()) {
    for (auto& x : v)
        if (x.name() == name) return &x;
    return nullptr;
}
}  // namespace

Program* Object::find_program(std::string_view name) noexcept { return find_named(s_->programs, name); }
const Program* Object::find_program(std::string_view name) const noexcept {
    return find_named(std::as_const(s_->programs), name);
}
Map* Object::find_map(std::string_view name) noexcept { return find_named(s_->maps, name); }
const Map* Object::find_map(std::string_view name) const noexcept { return find_named(std::as_const(s_->maps), name); }

Result<Program> Object::program(std::string_view name) const {
    const Program* p = find_program(name);
    if (!p) return not_found("program", name);
    return *p;
}

Result<Map> Object::map(std::string_view name) const {
    const Map* m = find_map(name);
    if (!m) return not_found("map", name);
    return *m;
}

namespace {
template <class T>
Result<T> take_named(std::vector<T>& v, std::vector<std::string>& taken, std::string_view name) {
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (it->name() != name) continue;
        T out = *it;
        v.erase(it);
        taken.emplace_back(name);
        return out;
    }
    return Error(Errc::NotFound, "");  // replaced by the caller's not_found()
}
}  // namespace

Result<Program> Object::take_program(std::string_view name) {
    auto r = take_named(s_->programs, s_->taken, name);
    if (!r) return not_found("program", name);
    return r;
}

Result<Map> Object::take_map(std::string_view name) {
    auto r = take_named(s_->maps, s_->taken, name);
    if (!r) return not_found("map", name);
    return r;
}

Error Object::not_found(const char* what, std::string_view name) const {
    for (const std::string& t : s_->taken)
        if (t == name)
            return Error(Errc::NotFound, format("%s: the %s '%.*s' was taken out of the object", s_->display_name.c_str(),
                                                what, EBPF_SV(name)));
    std::string known;
    if (std::strcmp(what, "program") == 0) {
        for (const Program& p : s_->programs) known += (known.empty() ? "" : ", ") + p.name();
    } else {
        for (const Map& m : s_->maps) known += (known.empty() ? "" : ", ") + m.name();
    }
    return Error(Errc::NotFound, format("%s: no %s named '%.*s' (it has: %s)", s_->display_name.c_str(), what,
                                        EBPF_SV(name), known.empty() ? "none" : known.c_str()));
}

Result<void> Object::load_programs() {
    for (Program& p : s_->programs) {
        const ProgramSpec* ps = s_->spec.program(p.name());
        bool autoload = ps ? ps->autoload : true;
        for (const auto& [name, on] : s_->autoload)
            if (name == p.name()) autoload = on;
        if (!autoload) continue;
        if (auto r = p.load(); !r) return std::move(r).error().context(s_->display_name);
    }
    return detail::fill_prog_arrays(*s_);
}

namespace {
const VariableSpec* find_variable(const ObjectSpec& spec, std::string_view name) {
    for (const VariableSpec& v : spec.variables)
        if (v.name == name) return &v;
    return nullptr;
}
}  // namespace

Result<detail::GlobalRef> Object::global_ref(std::string_view name) const {
    const VariableSpec* v = find_variable(s_->spec, name);
    if (!v) return Error(Errc::NotFound, format("%s: no global variable named '%.*s'", s_->display_name.c_str(),
                                                EBPF_SV(name)));
    const Map* m = find_map(v->map);
    if (!m) return not_found("map", v->map).context(format("global '%.*s'", EBPF_SV(name)));
    const MapSpec* ms = s_->spec.map(v->map);
    detail::GlobalRef g{*m, std::nullopt, v->offset, v->size, false, v->name, v->map};
    g.read_only = ms && (ms->kind == MapKind::Rodata || ms->kind == MapKind::Kconfig);
    // Mapped where the section was created BPF_F_MMAPABLE (the loader keeps the flag where the kernel has it, 5.5+);
    // a kernel that still cannot map it leaves the system-call path, which works everywhere.
    if (m->flags() & kMapMmapable) {
        if (auto mem = MappedMemory::of(*m)) g.memory.emplace(std::move(*mem));
    }
    return g;
}

Result<void> Object::read_global(std::string_view name, std::span<std::byte> out) const {
    const VariableSpec* v = find_variable(s_->spec, name);
    if (!v) return Error(Errc::NotFound, format("no global variable named '%.*s'", EBPF_SV(name)));
    if (out.size() != v->size)
        return Error(Errc::InvalidArgument, format("global '%.*s' has %u bytes, buffer has %zu", EBPF_SV(name), v->size,
                                                   out.size()));
    const Map* m = find_map(v->map);
    if (!m) return not_found("map", v->map).context(format("global '%.*s'", EBPF_SV(name)));
    std::vector<std::byte> value(m->value_buffer_size());
    const std::uint32_t zero = 0;
    EBPF_TRY(m->lookup(as_bytes_of(zero), value));
    std::memcpy(out.data(), value.data() + v->offset, v->size);
    return {};
}

Result<void> Object::write_global(std::string_view name, std::span<const std::byte> in) {
    const VariableSpec* v = find_variable(s_->spec, name);
    if (!v) return Error(Errc::NotFound, format("no global variable named '%.*s'", EBPF_SV(name)));
    if (in.size() != v->size)
        return Error(Errc::InvalidArgument, format("global '%.*s' has %u bytes, value has %zu", EBPF_SV(name), v->size,
                                                   in.size()));
    const Map* m = find_map(v->map);
    if (!m) return not_found("map", v->map).context(format("global '%.*s'", EBPF_SV(name)));
    // Read-modify-write of the whole section value; not atomic against programs writing neighbours concurrently.
    std::vector<std::byte> value(m->value_buffer_size());
    const std::uint32_t zero = 0;
    EBPF_TRY(m->lookup(as_bytes_of(zero), value));
    std::memcpy(value.data() + v->offset, in.data(), v->size);
    return m->update(as_bytes_of(zero), value);
}

}  // namespace ebpf
