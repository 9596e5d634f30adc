// SPDX-License-Identifier: MIT
// Spec ids and map entries of USDT attachments. Spec ids are allocated per __bpf_usdt_specs map (by its kernel
// id) under one process-wide lock: several attachments of the programs of one object share that map, as with
// libbpf's per-object USDT manager.
#include "programs/usdt_specs.hpp"

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <map>
#include <mutex>

#include "base/format.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"

namespace ebpf::detail {

namespace usdt_specs_impl {
namespace {

constexpr std::uint32_t kArrayMap = 2, kHashMap = 1;  // BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH

struct SpecIdTable {
    std::mutex mu;
    std::map<std::uint32_t, std::vector<bool>> used;  // map id -> slot in use
};

SpecIdTable& spec_ids() {
    static SpecIdTable t;
    return t;
}

Result<std::vector<std::uint32_t>> allocate_ids(std::uint32_t map_id, std::uint32_t capacity, std::size_t n) {
    SpecIdTable& t = spec_ids();
    std::lock_guard<std::mutex> lock(t.mu);
    std::vector<bool>& used = t.used[map_id];
    if (used.size() < capacity) used.resize(capacity, false);
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < used.size() && out.size() < n; ++i)
        if (!used[i]) out.push_back(i);
    if (out.size() < n) {
        if (std::find(used.begin(), used.end(), true) == used.end()) t.used.erase(map_id);
        return Error(Errc::ResourceLimit,
                     format("__bpf_usdt_specs has %u slots and %zu are free, %zu needed: define "
                            "BPF_USDT_MAX_SPEC_CNT larger before including <bpf/usdt.bpf.h>",
                            capacity, out.size(), n));
    }
    for (std::uint32_t id : out) used[id] = true;
    return out;
}

void free_ids(std::uint32_t map_id, const std::vector<std::uint32_t>& ids) {
    SpecIdTable& t = spec_ids();
    std::lock_guard<std::mutex> lock(t.mu);
    auto it = t.used.find(map_id);
    if (it == t.used.end()) return;
    for (std::uint32_t id : ids)
        if (id < it->second.size()) it->second[id] = false;
    if (std::find(it->second.begin(), it->second.end(), true) == it->second.end()) t.used.erase(it);
}

class UsdtSpecResource final : public LinkResource {
public:
    UsdtSpecResource(UsdtMaps maps, std::vector<std::uint32_t> ids, std::vector<std::uint64_t> ips)
        : maps_(std::move(maps)), ids_(std::move(ids)), ips_(std::move(ips)) {}
    ~UsdtSpecResource() override { (void)undo(); }
    Result<void> undo() override {
        if (done_) return {};
        done_ = true;
        std::optional<Error> first;
        for (std::uint64_t ip : ips_) {
            auto r = sys::map_delete_elem(maps_.ip_to_spec.get(), &ip);
            if (!r && !first)
                first = std::move(r).error().context(format("remove USDT address 0x%llx from __bpf_usdt_ip_to_spec_id",
                                                            static_cast<unsigned long long>(ip)));
        }
        free_ids(maps_.specs_id, ids_);
        maps_ = {};
        if (first) return std::move(*first);
        return {};
    }
    // Released or pinned with its Link: the probes stay, so their specs and addresses must too.
    void add_ip(std::uint64_t ip) { ips_.push_back(ip); }
    void keep() noexcept override {
        done_ = true;
        maps_ = {};
    }

private:
    UsdtMaps maps_;
    std::vector<std::uint32_t> ids_;
    std::vector<std::uint64_t> ips_;
    bool done_ = false;
};

Result<sys::MapInfoRaw> map_info(int fd) {
    sys::MapInfoRaw info{};
    std::uint32_t len = sizeof info;
    auto r = sys::obj_get_info_by_fd(fd, &info, len);
    if (!r) return std::move(r).error();
    return info;
}

}  // namespace
}  // namespace usdt_specs_impl

Result<UsdtMaps> find_usdt_maps(const Program& program) {
    using namespace usdt_specs_impl;
    auto info = program.info();
    if (!info) return std::move(info).error().context("find the USDT maps of the program");
    UsdtMaps out;
    for (std::uint32_t id : info->map_ids) {
        auto fd = sys::get_fd_by_id(sys::Cmd::MapGetFdById, id);
        if (!fd) {
            if (fd.error().sys_errno() == ENOENT) continue;  // freed meanwhile
            return std::move(fd).error().context(format("open map id %u", id));
        }
        auto mi = map_info(fd->get());
        if (!mi) return std::move(mi).error().context(format("info of map id %u", id));
        const std::string_view name(mi->name, strnlen(mi->name, sizeof mi->name));
        if (name == "__bpf_usdt_spec") {
            if (mi->type != kArrayMap || mi->key_size != 4 || mi->value_size != kUsdtSpecSize)
                return Error(Errc::InvalidArgument,
                             format("map __bpf_usdt_specs (id %u) is not an array of %zu-byte values with 4-byte "
                                    "keys (struct __bpf_usdt_spec of <bpf/usdt.bpf.h>): type %u, key %u, value %u",
                                    id, kUsdtSpecSize, mi->type, mi->key_size, mi->value_size));
            out.specs = std::move(*fd);
            out.specs_id = mi->id;
            out.capacity = mi->max_entries;
        } else if (name == "__bpf_usdt_ip_t") {
            if (mi->type != kHashMap || mi->key_size != 8 || mi->value_size != 4)
                return Error(Errc::InvalidArgument,
                             format("map __bpf_usdt_ip_to_spec_id (id %u) is not a hash of 8-byte addresses to "
                                    "4-byte spec ids: type %u, key %u, value %u",
                                    id, mi->type, mi->key_size, mi->value_size));
            out.ip_to_spec = std::move(*fd);
        }
    }
    if (!out.specs.valid())
        return Error(Errc::InvalidArgument,
                     format("program '%s' uses no map __bpf_usdt_specs: write USDT programs with <bpf/usdt.bpf.h> "
                            "(BPF_USDT, bpf_usdt_arg)",
                            program.name().c_str()));
    return out;
}

Result<UsdtInstall> install_usdt_specs(UsdtMaps maps, const std::vector<UsdtSpecBytes>& specs,
                                       const std::vector<std::pair<std::uint64_t, std::size_t>>& ips) {
    using namespace usdt_specs_impl;
    if (!ips.empty() && !maps.ip_to_spec.valid())
        return Error(Errc::InvalidArgument, "the program uses no map __bpf_usdt_ip_to_spec_id, which this kernel "
                                            "(no BPF cookies) needs to tell USDT probes apart");
    auto ids = allocate_ids(maps.specs_id, maps.capacity, specs.size());
    if (!ids) return std::move(ids).error();
    const int specs_fd = maps.specs.get(), ip_fd = maps.ip_to_spec.get();
    // From here on the resource owns the ids and the addresses written so far: on failure its destructor undoes
    // them (the fds stay open inside it).
    auto resource = std::make_unique<UsdtSpecResource>(std::move(maps), *ids, std::vector<std::uint64_t>{});
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const std::uint32_t key = (*ids)[i];
        auto r = sys::map_update_elem(specs_fd, &key, specs[i].data());
        if (!r) return std::move(r).error().context(format("write USDT spec %u to __bpf_usdt_specs", key));
    }
    for (const auto& [ip, index] : ips) {
        const std::uint32_t id = (*ids)[index];
        constexpr std::uint64_t kNoExist = 1;  // BPF_NOEXIST
        auto r = sys::map_update_elem(ip_fd, &ip, &id, kNoExist);
        if (!r) {
            if (r.error().sys_errno() == EEXIST)
                return Error(Errc::Exists, format("write __bpf_usdt_ip_to_spec_id: USDT probe address 0x%llx is "
                                                  "already attached by another Link of these maps (without BPF "
                                                  "cookies an address has one spec)",
                                                  static_cast<unsigned long long>(ip)));
            return std::move(r).error().context("write __bpf_usdt_ip_to_spec_id");
        }
        resource->add_ip(ip);
    }
    return UsdtInstall{std::move(*ids), std::move(resource)};
}

}  // namespace ebpf::detail
