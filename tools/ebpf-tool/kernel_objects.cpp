// SPDX-License-Identifier: MIT
// ebpf-tool prog|map|link list/show and btf list: what is loaded in the running kernel (as bpftool ... show).
#include <ctime>

#include <charconv>
#include <cstdio>
#include <string>

#include <ebpf/kernel_btf.hpp>
#include <ebpf/link.hpp>
#include <ebpf/map.hpp>
#include <ebpf/program.hpp>

#include "commands.hpp"
#include "json.hpp"

namespace ebpf::tool {

namespace {

struct ListArgs {
    bool json = false;
    bool show = false;      // show ID (one object) rather than list
    std::uint32_t id = 0;
};

// Parses "list [--json]" or "show ID [--json]" (also "show" without ID: the same as list).
int parse_list_args(std::string_view what, std::span<const std::string_view> args, ListArgs& out) {
    if (args.empty()) return usage_error(std::string(what) + ": missing subcommand (list or show ID)");
    const std::string_view sub = args[0];
    if (sub != "list" && sub != "show") return usage_error(std::string(what) + ": unknown subcommand '" + std::string(sub) + "'");
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--json") {
            out.json = true;
        } else if (a.starts_with("-")) {
            return usage_error(std::string(what) + " " + std::string(sub) + ": unknown option '" + std::string(a) + "'");
        } else if (sub == "show" && !out.show) {
            if (!parse_id(a, out.id))
                return usage_error(std::string(what) + " show: '" + std::string(a) + "' is not an id (a positive number)");
            out.show = true;
        } else {
            return usage_error(std::string(what) + " " + std::string(sub) + ": unexpected argument '" + std::string(a) + "'");
        }
    }
    return -1;
}

std::string hex_tag(const std::array<std::uint8_t, 8>& tag) {
    std::string s;
    char buf[4];
    for (std::uint8_t b : tag) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        s += buf;
    }
    return s;
}

// CLOCK_BOOTTIME nanoseconds -> seconds since the epoch.
std::int64_t boot_ns_to_unix(std::uint64_t boot_ns) {
    timespec real{}, boot{};
    ::clock_gettime(CLOCK_REALTIME, &real);
    ::clock_gettime(CLOCK_BOOTTIME, &boot);
    const std::int64_t real_ns = real.tv_sec * 1000000000LL + real.tv_nsec;
    const std::int64_t now_boot_ns = boot.tv_sec * 1000000000LL + boot.tv_nsec;
    return (real_ns - now_boot_ns + static_cast<std::int64_t>(boot_ns)) / 1000000000LL;
}

std::string local_time(std::int64_t unix_s) {
    const time_t t = static_cast<time_t>(unix_s);
    tm parts{};
    char buf[40] = "?";
    if (::localtime_r(&t, &parts)) std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &parts);
    return buf;
}

// --- programs

void prog_json(Json& j, const ProgramInfo& p) {
    j.begin_object()
        .field("id", p.id)
        .field("type", to_string(p.type))
        .field("name", p.full_name)
        .field("tag", hex_tag(p.tag))
        .field("gpl_compatible", p.gpl_compatible)
        .field("loaded_at", boot_ns_to_unix(p.load_time_ns))
        .field("uid", p.created_by_uid)
        .field("bytes_xlated", p.xlated_size)
        .field("jited", p.jited_size != 0)
        .field("bytes_jited", p.jited_size)
        .field("verified_insns", p.verified_instructions);
    j.key("map_ids").begin_array();
    for (std::uint32_t id : p.map_ids) j.value(id);
    j.end_array();
    j.field("btf_id", p.btf_id);
    if (p.run_count != 0 || p.run_time_ns != 0)
        j.field("run_cnt", p.run_count).field("run_time_ns", p.run_time_ns);
    if (p.recursion_misses != 0) j.field("recursion_misses", p.recursion_misses);
    if (p.ifindex != 0) j.field("ifindex", p.ifindex);
    if (p.attach_btf_id != 0) j.field("attach_btf_obj_id", p.attach_btf_obj_id).field("attach_btf_id", p.attach_btf_id);
    j.end_object();
}

void prog_text(const ProgramInfo& p) {
    std::printf("%u: %s  name %s  tag %s%s\n", p.id, std::string(to_string(p.type)).c_str(),
                p.full_name.empty() ? "-" : p.full_name.c_str(), hex_tag(p.tag).c_str(), p.gpl_compatible ? "  gpl" : "");
    if (p.run_count != 0 || p.run_time_ns != 0)
        std::printf("\trun_time_ns %llu  run_cnt %llu\n", static_cast<unsigned long long>(p.run_time_ns),
                    static_cast<unsigned long long>(p.run_count));
    std::printf("\tloaded_at %s  uid %u\n", local_time(boot_ns_to_unix(p.load_time_ns)).c_str(), p.created_by_uid);
    std::printf("\txlated %uB  ", p.xlated_size);
    if (p.jited_size) std::printf("jited %uB", p.jited_size);
    else std::printf("not jited");
    std::printf("  verified_insns %u\n", p.verified_instructions);
    if (!p.map_ids.empty()) {
        std::printf("\tmap_ids ");
        for (std::size_t i = 0; i < p.map_ids.size(); ++i) std::printf("%s%u", i ? "," : "", p.map_ids[i]);
        std::printf("\n");
    }
    if (p.btf_id) std::printf("\tbtf_id %u\n", p.btf_id);
    if (p.attach_btf_id) std::printf("\tattach_btf_obj_id %u  attach_btf_id %u\n", p.attach_btf_obj_id, p.attach_btf_id);
}

// --- maps

void map_json(Json& j, const MapInfo& m) {
    j.begin_object()
        .field("id", m.id)
        .field("type", to_string(m.type))
        .field("name", m.name)
        .field("flags", m.flags)
        .field("bytes_key", m.key_size)
        .field("bytes_value", m.value_size)
        .field("max_entries", m.max_entries);
    if (m.btf_id != 0)
        j.field("btf_id", m.btf_id).field("btf_key_type_id", m.btf_key_type_id).field("btf_value_type_id", m.btf_value_type_id);
    if (m.btf_vmlinux_value_type_id != 0) j.field("btf_vmlinux_value_type_id", m.btf_vmlinux_value_type_id);
    if (m.map_extra != 0) j.field("map_extra", m.map_extra);
    if (m.ifindex != 0) j.field("ifindex", m.ifindex);
    j.end_object();
}

void map_text(const MapInfo& m) {
    std::printf("%u: %s  name %s  flags 0x%x\n", m.id, std::string(to_string(m.type)).c_str(),
                m.name.empty() ? "-" : m.name.c_str(), m.flags);
    std::printf("\tkey %uB  value %uB  max_entries %u", m.key_size, m.value_size, m.max_entries);
    if (m.map_extra) std::printf("  map_extra 0x%llx", static_cast<unsigned long long>(m.map_extra));
    std::printf("\n");
    if (m.btf_id) std::printf("\tbtf_id %u  key_type %u  value_type %u\n", m.btf_id, m.btf_key_type_id, m.btf_value_type_id);
}

// --- links

void link_json(Json& j, const LinkInfo& l) {
    j.begin_object().field("id", l.id).field("type", to_string(l.type)).field("prog_id", l.prog_id);
    if (l.attach_type) j.field("attach_type", to_string(*l.attach_type));
    if (!l.target_name.empty()) j.field("target_name", l.target_name);
    if (l.cgroup_id) j.field("cgroup_id", l.cgroup_id);
    if (l.ifindex) j.field("ifindex", l.ifindex);
    if (l.netns_ino) j.field("netns_ino", l.netns_ino);
    if (l.target_obj_id) j.field("target_obj_id", l.target_obj_id);
    if (l.target_btf_id) j.field("target_btf_id", l.target_btf_id);
    if (l.map_id) j.field("map_id", l.map_id);
    if (l.count) j.field("func_cnt", l.count);
    if (l.offset) j.field("offset", l.offset);
    if (l.address) j.field("addr", l.address);
    if (l.cookie) j.field("cookie", l.cookie);
    if (l.type == LinkType::PerfEvent) j.field("perf_event_type", l.perf_event_type);
    if (l.type == LinkType::Netfilter)
        j.field("pf", l.netfilter.pf).field("hooknum", l.netfilter.hooknum).field("priority", static_cast<std::int64_t>(l.netfilter.priority)).field("nf_flags", l.netfilter.flags);
    j.end_object();
}

void link_text(const LinkInfo& l) {
    std::printf("%u: %s  prog %u\n", l.id, std::string(to_string(l.type)).c_str(), l.prog_id);
    std::string attach;
    auto add = [&](const std::string& s) { attach += (attach.empty() ? "\t" : "  ") + s; };
    if (l.attach_type) add("attach_type " + std::string(to_string(*l.attach_type)));
    if (!l.target_name.empty()) add("target " + l.target_name);
    if (l.cgroup_id) add("cgroup_id " + std::to_string(l.cgroup_id));
    if (l.ifindex) add("ifindex " + std::to_string(l.ifindex));
    if (l.netns_ino) add("netns_ino " + std::to_string(l.netns_ino));
    if (l.target_obj_id) add("target_obj_id " + std::to_string(l.target_obj_id));
    if (l.target_btf_id) add("target_btf_id " + std::to_string(l.target_btf_id));
    if (l.map_id) add("map_id " + std::to_string(l.map_id));
    if (l.count) add("func_cnt " + std::to_string(l.count));
    if (l.offset) add("offset " + std::to_string(l.offset));
    if (l.cookie) add("cookie " + std::to_string(l.cookie));
    if (!attach.empty()) std::printf("%s\n", attach.c_str());
}

// --- BTF objects

void btf_json(Json& j, const BtfInfo& b) {
    j.begin_object().field("id", b.id).field("size", b.size).field("kernel", b.kernel_btf).field("name", b.name).end_object();
}

void btf_text(const BtfInfo& b) {
    std::printf("%u: name %s  size %uB%s\n", b.id, b.name.empty() ? "<anon>" : b.name.c_str(), b.size,
                b.kernel_btf ? "  kernel" : "");
}

// Lists (or shows one of) the objects `list()` returns; `one(id)` opens a single one for show.
template <class Info, class ListFn, class OneFn, class JsonFn, class TextFn>
int run_listing(const ListArgs& a, ListFn list, OneFn one, JsonFn to_json, TextFn to_text) {
    std::vector<Info> items;
    if (a.show) {
        auto r = one(a.id);
        if (!r) return fail(r.error().message());
        items.push_back(std::move(*r));
    } else {
        auto r = list();
        if (!r) return fail(r.error().message());
        items = std::move(*r);
    }
    if (a.json) {
        Json j;
        if (a.show) {
            to_json(j, items.front());
        } else {
            j.begin_array();
            for (const Info& i : items) to_json(j, i);
            j.end_array();
        }
        std::printf("%s\n", j.str().c_str());
    } else {
        for (const Info& i : items) to_text(i);
    }
    return std::fflush(stdout) == 0 ? kExitOk : fail("writing the output failed");
}

}  // namespace

bool parse_id(std::string_view s, std::uint32_t& id) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), id);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && id != 0;
}

int cmd_prog(std::span<const std::string_view> args) {
    ListArgs a;
    if (int rc = parse_list_args("prog", args, a); rc >= 0) return rc;
    return run_listing<ProgramInfo>(
        a, [] { return loaded_programs(); },
        [](std::uint32_t id) -> Result<ProgramInfo> {
            auto p = Program::from_id(id);
            if (!p) return std::move(p).error();
            return p->info();
        },
        prog_json, prog_text);
}

int cmd_map_listing(std::span<const std::string_view> args) {
    ListArgs a;
    if (int rc = parse_list_args("map", args, a); rc >= 0) return rc;
    return run_listing<MapInfo>(
        a, [] { return loaded_maps(); },
        [](std::uint32_t id) -> Result<MapInfo> {
            auto m = Map::from_id(id);
            if (!m) return std::move(m).error();
            return m->info();
        },
        map_json, map_text);
}

int cmd_link(std::span<const std::string_view> args) {
    ListArgs a;
    if (int rc = parse_list_args("link", args, a); rc >= 0) return rc;
    return run_listing<LinkInfo>(
        a, [] { return loaded_links(); },
        [](std::uint32_t id) -> Result<LinkInfo> {
            auto l = Link::from_id(id);
            if (!l) return std::move(l).error();
            auto info = l->info();
            UniqueFd ours = l->release();  // closes only our fd: the link stays attached
            return info;
        },
        link_json, link_text);
}

int cmd_btf_listing(std::span<const std::string_view> args) {
    ListArgs a;
    if (int rc = parse_list_args("btf", args, a); rc >= 0) return rc;
    return run_listing<BtfInfo>(
        a, [] { return loaded_btfs(); }, [](std::uint32_t id) { return loaded_btf_info(id); }, btf_json, btf_text);
}

}  // namespace ebpf::tool
