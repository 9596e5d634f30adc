// SPDX-License-Identifier: MIT
// Object::struct_ops() and attach_struct_ops(): the struct_ops variables the loader laid out (struct_ops_layout.cpp),
// as StructOps handles over their maps and programs.
#include <ebpf/object.hpp>

#include "base/format.hpp"
#include "loader/state.hpp"

namespace ebpf {

using detail::format;

Result<StructOps> Object::struct_ops(std::string_view name) const {
    const State::StructOpsLayout* l = nullptr;
    for (const auto& x : s_->struct_ops)
        if (x.name == name) l = &x;
    if (!l) {
        std::string known;
        for (const auto& x : s_->struct_ops) known += (known.empty() ? "" : ", ") + x.name;
        return Error(Errc::NotFound, format("%s: no struct_ops variable named '%.*s' (it has: %s)",
                                            s_->display_name.c_str(), EBPF_SV(name), known.empty() ? "none" : known.c_str()));
    }
    auto map = this->map(name);
    if (!map) return std::move(map).error().context(format("struct_ops '%.*s'", EBPF_SV(name)));
    detail::StructOpsParts parts{l->name, l->type_name, l->ops_name, *map, l->link, l->value, {}};
    for (const auto& slot : l->slots) {
        auto prog = program(slot.program);
        if (!prog)
            return std::move(prog).error().context(format("struct_ops '%.*s' member '%s'", EBPF_SV(name),
                                                          slot.member.c_str()));
        parts.slots.push_back({slot.member, slot.index, slot.offset, *prog});
    }
    return StructOps(std::move(parts));
}

Result<std::vector<Link>> Object::attach_struct_ops() const {
    std::vector<Link> links;
    for (const auto& l : s_->struct_ops) {
        auto so = struct_ops(l.name);
        if (!so) return std::move(so).error();
        auto link = so->attach();
        if (!link) return std::move(link).error();
        links.push_back(std::move(*link));
    }
    return links;
}

}  // namespace ebpf
