// SPDX-License-Identifier: MIT
// Loader steps for struct_ops variables: lay each out as the running kernel's struct (members matched by name, data
// copied, function pointers becoming program slots), create its BPF_MAP_TYPE_STRUCT_OPS map, give its programs their
// struct and member. Built with -Dkernel_btf=true only: the layout reads the kernel's BTF (kernel_deps_none.cpp
// has the -Dkernel_btf=false steps). Object::struct_ops() and attach_struct_ops() are in struct_ops.cpp.
#include <ebpf/features.hpp>
#include <ebpf/object.hpp>

#include <algorithm>
#include <cstring>

#include "base/format.hpp"
#include "base/kernel_name.hpp"
#include "base/try.hpp"
#include "features/own_probes.hpp"
#include "loader/state.hpp"
#include "sys/bpf.hpp"
#include "sys/uapi.hpp"

namespace ebpf {

using detail::format;

namespace detail {

namespace {

using Layout = Object::State::StructOpsLayout;

bool all_zero(std::span<const std::byte> b) {
    return std::all_of(b.begin(), b.end(), [](std::byte x) { return x == std::byte{0}; });
}

// A struct the kernel defines, searched in vmlinux; a module's is named so the error can say where it is.
Result<btf::TypeId> kernel_struct(const KernelBtf& k, const std::string& name, const std::string& what) {
    if (auto id = k.vmlinux().find(name, btf::Kind::Struct)) return *id;
    for (const std::string& m : k.module_names()) {
        auto spec = k.module(m);
        if (!spec) continue;
        auto id = (*spec)->find(name, btf::Kind::Struct);
        if (id && *id >= (*spec)->first_id())
            return Error(Errc::NotSupported, format("%s: struct %s is defined by module %s; struct_ops of kernel "
                                                    "modules are not supported yet",
                                                    what.c_str(), name.c_str(), m.c_str()));
    }
    return Error(Errc::NotFound, format("%s: the kernel has no struct %s (vmlinux BTF)", what.c_str(), name.c_str()));
}

Result<Layout> layout_one(const ObjectSpec& spec, const StructOpsSpec& so, const KernelBtf& k, bool links) {
    const std::string what = format("struct_ops '%s' (struct %s)", so.name.c_str(), so.type_name.c_str());
    const btf::Spec& local = *spec.btf;
    const btf::Spec& kb = k.vmlinux();
    Layout l;
    l.name = so.name;
    l.type_name = so.type_name;
    l.link = so.link && links;
    EBPF_TRY_ASSIGN(l.kernel_type, kernel_struct(k, so.type_name, what));
    const std::string value_name = "bpf_struct_ops_" + so.type_name;
    auto vt = kb.find(value_name, btf::Kind::Struct);
    if (!vt)
        return Error(Errc::NotSupported, format("%s: the kernel cannot take struct %s from BPF (its BTF has no %s)",
                                                what.c_str(), so.type_name.c_str(), value_name.c_str()));
    l.value_type = *vt;
    const btf::Type value_t = kb.type_or_void(*vt);
    // The value type wraps the struct (after a refcount and a state): find the member that is the struct.
    std::optional<std::uint32_t> data_off;
    for (std::uint32_t i = 0; i < value_t.vlen(); ++i) {
        const btf::Member m = value_t.member(i);
        auto t = kb.skip_modifiers(m.type);
        if (t && t->id() == l.kernel_type) data_off = m.bit_offset / 8;
    }
    if (!data_off)
        return Error(Errc::MalformedBtf, format("%s: %s has no member of type struct %s", what.c_str(),
                                                value_name.c_str(), so.type_name.c_str()));
    l.value.assign(value_t.size(), std::byte{0});
    const btf::Type kt = kb.type_or_void(l.kernel_type);
    EBPF_TRY_ASSIGN(const btf::Type lt, local.type(so.type));

    for (std::uint32_t i = 0; i < lt.vlen(); ++i) {
        const btf::Member lm = lt.member(i);
        const std::uint32_t loff = lm.bit_offset / 8;
        EBPF_TRY_ASSIGN(const std::uint32_t lsize, local.resolve_size(lm.type));
        const bool in_range = std::size_t{loff} + lsize <= so.data.size();
        const std::span<const std::byte> ldata =
            in_range ? std::span<const std::byte>(so.data.data() + loff, lsize) : std::span<const std::byte>();
        const auto slot = std::find_if(so.programs.begin(), so.programs.end(),
                                       [&](const StructOpsSpec::Slot& s) { return s.member == lm.name; });
        const bool has_program = slot != so.programs.end();
        std::optional<std::uint32_t> kidx;
        for (std::uint32_t j = 0; j < kt.vlen() && !kidx; ++j)
            if (kt.member(j).name == lm.name) kidx = j;
        if (!kidx) {
            // A member the kernel does not have is fine while it is unset (objects built for newer kernels).
            if (!has_program && all_zero(ldata)) continue;
            return Error(Errc::NotFound,
                         format("%s: member '%.*s' is not in the kernel's struct %s%s", what.c_str(), EBPF_SV(lm.name),
                                so.type_name.c_str(),
                                has_program ? format(" (it is set to program '%s')", slot->program.c_str()).c_str()
                                            : " (it is set)"));
        }
        const btf::Member km = kt.member(*kidx);
        const std::uint32_t koff = *data_off + km.bit_offset / 8;
        if (lm.bitfield_size || km.bitfield_size || lm.bit_offset % 8 || km.bit_offset % 8) {
            if (!has_program && all_zero(ldata)) continue;
            return Error(Errc::NotSupported, format("%s: member '%.*s' is a bitfield; struct_ops bitfields cannot be "
                                                    "set",
                                                    what.c_str(), EBPF_SV(lm.name)));
        }
        EBPF_TRY_ASSIGN(const btf::Type lmt, local.skip_modifiers(lm.type));
        EBPF_TRY_ASSIGN(const btf::Type kmt, kb.skip_modifiers(km.type));
        if (has_program) {
            if (kmt.kind() != btf::Kind::Ptr)
                return Error(Errc::Incompatible, format("%s: member '%.*s' is a function pointer here, %s in the kernel",
                                                        what.c_str(), EBPF_SV(lm.name), kb.describe(km.type).c_str()));
            l.slots.push_back({std::string(lm.name), *kidx, koff, slot->program});
            continue;
        }
        if (all_zero(ldata)) continue;  // the kernel value is zero there already
        EBPF_TRY_ASSIGN(const std::uint32_t ksize, kb.resolve_size(km.type));
        if (lmt.kind() != kmt.kind() || lsize != ksize)
            return Error(Errc::Incompatible, format("%s: member '%.*s' is %s (%u bytes) here and %s (%u bytes) in the "
                                                    "kernel",
                                                    what.c_str(), EBPF_SV(lm.name), local.describe(lm.type).c_str(),
                                                    lsize, kb.describe(km.type).c_str(), ksize));
        if (lmt.kind() == btf::Kind::Ptr)
            return Error(Errc::InvalidArgument, format("%s: pointer member '%.*s' is set to something that is not a "
                                                       "program",
                                                       what.c_str(), EBPF_SV(lm.name)));
        if (std::size_t{koff} + ksize > l.value.size())
            return Error(Errc::MalformedBtf, format("%s: member '%.*s' lies outside %s", what.c_str(),
                                                    EBPF_SV(lm.name), value_name.c_str()));
        std::memcpy(l.value.data() + koff, ldata.data(), ksize);
        if (lm.name == "name" && lmt.kind() == btf::Kind::Array) {
            const char* text = reinterpret_cast<const char*>(ldata.data());
            l.ops_name.assign(text, strnlen(text, ldata.size()));
        }
    }
    return l;
}

const Layout* layout_of(const Object::State& s, std::string_view name) {
    for (const Layout& l : s.struct_ops)
        if (l.name == name) return &l;
    return nullptr;
}

}  // namespace

Result<void> layout_struct_ops(Object::State& s) {
    if (s.spec.struct_ops.empty()) return {};
    if (!s.spec.btf) return Error(Errc::MalformedObject, "struct_ops variables need the object's BTF");
    if (!s.kernel_btf) {
        auto k = KernelBtf::running();
        if (!k) return std::move(k).error().context("struct_ops");
        s.kernel_btf = *k;
    }
    // struct_ops links (and so BPF_F_LINK maps) came with Linux 6.4; before, .struct_ops.link maps are created
    // without the flag and register on update like .struct_ops maps.
    bool links = false;
    for (const StructOpsSpec& so : s.spec.struct_ops)
        if (so.link) {
            EBPF_TRY_ASSIGN(links, struct_ops_link_supported());
            break;
        }
    for (const StructOpsSpec& so : s.spec.struct_ops) {
        EBPF_TRY_ASSIGN(Layout l, layout_one(s.spec, so, *s.kernel_btf, links));
        s.struct_ops.push_back(std::move(l));
    }
    return {};
}

Result<Map> create_struct_ops_map(const Object::State& s, const MapSpec& m) {
    const Layout* l = layout_of(s, m.name);
    if (!l) return Error(Errc::MalformedObject, format("struct_ops map '%s' has no struct_ops variable", m.name.c_str()));
    const std::string what = format("create struct_ops map '%s' (struct %s)", m.name.c_str(), l->type_name.c_str());
    // The kernel needs the object's BTF even though the value's type is its own (5.6+: btf_fd must be valid).
    if (!s.btf)
        return Error(Errc::NotSupported, what + ": the kernel did not take the object's BTF, which struct_ops maps "
                                                "need");
    sys::MapCreateAttr a{};
    a.map_type = static_cast<std::uint32_t>(MapType::StructOps);
    a.key_size = 4;
    a.value_size = static_cast<std::uint32_t>(l->value.size());
    a.max_entries = 1;
    a.map_flags = l->link ? sys::uapi::kBpfFLink : 0;
    const std::string kname = kernel_object_name(m.name);
    std::memcpy(a.map_name, kname.data(), std::min<std::size_t>(kname.size(), sizeof a.map_name - 1));
    a.btf_fd = static_cast<std::uint32_t>(s.btf->get());
    a.btf_vmlinux_value_type_id = l->value_type;
    auto fd = sys::map_create(a);
    if (!fd) return std::move(fd).error().context(what);
    auto map = Map::from_fd(std::move(*fd));
    if (!map) return std::move(map).error().context(what);
    detail_rename_map(*map, m.name);
    return map;
}

Result<void> apply_struct_ops(const Object::State& s, const ProgramSpec& p, ProgramDef& d) {
    if (p.kind != ProgramKind::StructOps) return {};
    const Layout* found = nullptr;
    const Layout::Slot* found_slot = nullptr;
    for (const Layout& l : s.struct_ops)
        for (const Layout::Slot& slot : l.slots) {
            if (slot.program != p.name) continue;
            if (found && (found->kernel_type != l.kernel_type || found_slot->index != slot.index))
                return Error(Errc::InvalidArgument,
                             format("struct_ops program '%s' is member '%s' of '%s' and member '%s' of '%s': a "
                                    "program is loaded for one struct member",
                                    p.name.c_str(), found_slot->member.c_str(), found->name.c_str(),
                                    slot.member.c_str(), l.name.c_str()));
            found = &l;
            found_slot = &slot;
        }
    if (!found)
        return Error(Errc::InvalidArgument, format("struct_ops program '%s' is used by no struct_ops variable of the "
                                                   "object: it has no member to be loaded for",
                                                   p.name.c_str()));
    d.attach_btf_id = found->kernel_type;
    d.expected_attach_type = static_cast<AttachType>(found_slot->index);
    return {};
}

}  // namespace detail

}  // namespace ebpf
