// SPDX-License-Identifier: MIT
// bpf(2) command wrappers: every call goes through syscall_entry().
#include "sys/bpf.hpp"

#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sys/info.hpp"
#include "sys/syscall.hpp"

namespace ebpf::sys {

const char* cmd_name(Cmd cmd) noexcept {
    static constexpr const char* names[] = {
        "BPF_MAP_CREATE",          "BPF_MAP_LOOKUP_ELEM",     "BPF_MAP_UPDATE_ELEM",
        "BPF_MAP_DELETE_ELEM",     "BPF_MAP_GET_NEXT_KEY",    "BPF_PROG_LOAD",
        "BPF_OBJ_PIN",             "BPF_OBJ_GET",             "BPF_PROG_ATTACH",
        "BPF_PROG_DETACH",         "BPF_PROG_TEST_RUN",       "BPF_PROG_GET_NEXT_ID",
        "BPF_MAP_GET_NEXT_ID",     "BPF_PROG_GET_FD_BY_ID",   "BPF_MAP_GET_FD_BY_ID",
        "BPF_OBJ_GET_INFO_BY_FD",  "BPF_PROG_QUERY",          "BPF_RAW_TRACEPOINT_OPEN",
        "BPF_BTF_LOAD",            "BPF_BTF_GET_FD_BY_ID",    "BPF_TASK_FD_QUERY",
        "BPF_MAP_LOOKUP_AND_DELETE_ELEM", "BPF_MAP_FREEZE",   "BPF_BTF_GET_NEXT_ID",
        "BPF_MAP_LOOKUP_BATCH",    "BPF_MAP_LOOKUP_AND_DELETE_BATCH", "BPF_MAP_UPDATE_BATCH",
        "BPF_MAP_DELETE_BATCH",    "BPF_LINK_CREATE",         "BPF_LINK_UPDATE",
        "BPF_LINK_GET_FD_BY_ID",   "BPF_LINK_GET_NEXT_ID",    "BPF_ENABLE_STATS",
        "BPF_ITER_CREATE",         "BPF_LINK_DETACH",         "BPF_PROG_BIND_MAP"};
    const auto i = static_cast<unsigned>(cmd);
    return i < sizeof names / sizeof names[0] ? names[i] : "BPF_UNKNOWN_CMD";
}

namespace {
// bpf(2) without building an Error: returns the result, or -errno. For calls whose common "failure" is an
// answer (a missing key), so the hot path allocates nothing.
long bpf_raw(Cmd cmd, void* attr, std::size_t size) noexcept {
    long r;
    do {
        r = syscall_entry(SYS_bpf, static_cast<long>(cmd), reinterpret_cast<long>(attr), static_cast<long>(size), 0, 0);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

// bpf(2) for calls that answer "no such element" with ENOENT: false then, an Error for anything else.
Result<bool> bpf_found(Cmd cmd, void* attr, std::size_t size) noexcept {
    const long r = bpf_raw(cmd, attr, size);
    if (r >= 0) return true;
    if (r == -ENOENT) return false;
    return Error::from_errno(static_cast<int>(-r), cmd_name(cmd));
}
}  // namespace

Result<long> bpf(Cmd cmd, void* attr, std::size_t size) noexcept {
    const long r = bpf_raw(cmd, attr, size);
    if (r < 0) return Error::from_errno(static_cast<int>(-r), cmd_name(cmd));
    return r;
}

Result<UniqueFd> adopt_fd(int fd) noexcept {
    UniqueFd owned(fd);
    if (fd > 2) return owned;
    // Through the seam too (dup_fd), so fault injection covers it.
    return dup_fd(fd);
}

Result<UniqueFd> dup_fd(int fd) noexcept {
    const long nfd = syscall_entry(SYS_fcntl, fd, 1030 /* F_DUPFD_CLOEXEC */, 3, 0, 0);
    if (nfd < 0) return Error::from_errno(errno, "fcntl(F_DUPFD_CLOEXEC)");
    return UniqueFd(static_cast<int>(nfd));
}

Result<UniqueFd> bpf_fd(Cmd cmd, void* attr, std::size_t size) noexcept {
    auto r = bpf(cmd, attr, size);
    if (!r) return std::move(r).error();
    return adopt_fd(static_cast<int>(*r));
}

namespace {
template <class Attr>
Result<void> run(Cmd cmd, Attr& attr) noexcept {
    auto r = bpf(cmd, &attr, sizeof attr);
    if (!r) return std::move(r).error();
    return {};
}
}  // namespace

Result<UniqueFd> map_create(MapCreateAttr& attr) noexcept { return bpf_fd(Cmd::MapCreate, &attr, sizeof attr); }

Result<bool> map_lookup_elem(int map_fd, const void* key, void* value, std::uint64_t flags) noexcept {
    MapElemAttr a{};
    a.map_fd = static_cast<u32>(map_fd);
    a.key = ptr_to_u64(key);
    a.value = ptr_to_u64(value);
    a.flags = flags;
    return bpf_found(Cmd::MapLookupElem, &a, sizeof a);
}

Result<void> map_update_elem(int map_fd, const void* key, const void* value, std::uint64_t flags) noexcept {
    MapElemAttr a{};
    a.map_fd = static_cast<u32>(map_fd);
    a.key = ptr_to_u64(key);
    a.value = ptr_to_u64(value);
    a.flags = flags;
    return run(Cmd::MapUpdateElem, a);
}

Result<bool> map_delete_elem(int map_fd, const void* key) noexcept {
    MapElemAttr a{};
    a.map_fd = static_cast<u32>(map_fd);
    a.key = ptr_to_u64(key);
    return bpf_found(Cmd::MapDeleteElem, &a, offsetof(MapElemAttr, value));
}

Result<bool> map_lookup_and_delete_elem(int map_fd, const void* key, void* value, std::uint64_t flags) noexcept {
    MapElemAttr a{};
    a.map_fd = static_cast<u32>(map_fd);
    a.key = ptr_to_u64(key);
    a.value = ptr_to_u64(value);
    a.flags = flags;
    return bpf_found(Cmd::MapLookupAndDeleteElem, &a, sizeof a);
}

Result<bool> map_get_next_key(int map_fd, const void* key, void* next_key) noexcept {
    MapElemAttr a{};
    a.map_fd = static_cast<u32>(map_fd);
    a.key = ptr_to_u64(key);
    a.value = ptr_to_u64(next_key);
    return bpf_found(Cmd::MapGetNextKey, &a, offsetof(MapElemAttr, flags));
}

Result<void> map_freeze(int map_fd) noexcept {
    MapElemAttr a{};
    a.map_fd = static_cast<u32>(map_fd);
    auto r = bpf(Cmd::MapFreeze, &a, sizeof(u32));
    if (!r) return std::move(r).error();
    return {};
}

Result<UniqueFd> prog_load(ProgLoadAttr& attr) noexcept { return bpf_fd(Cmd::ProgLoad, &attr, sizeof attr); }
Result<UniqueFd> btf_load(BtfLoadAttr& attr) noexcept { return bpf_fd(Cmd::BtfLoad, &attr, sizeof attr); }

Result<void> obj_pin(int fd, const char* path) noexcept {
    ObjAttr a{};
    a.pathname = ptr_to_u64(path);
    a.bpf_fd = static_cast<u32>(fd);
    auto r = bpf(Cmd::ObjPin, &a, offsetof(ObjAttr, path_fd));
    if (!r) return std::move(r).error();
    return {};
}

Result<UniqueFd> obj_get(const char* path, std::uint32_t file_flags) noexcept {
    ObjAttr a{};
    a.pathname = ptr_to_u64(path);
    a.file_flags = file_flags;
    return bpf_fd(Cmd::ObjGet, &a, offsetof(ObjAttr, path_fd));
}

Result<void> prog_attach(const ProgAttachAttr& attr) noexcept {
    ProgAttachAttr a = attr;
    return run(Cmd::ProgAttach, a);
}

Result<void> prog_detach(int target_fd, int prog_fd, std::uint32_t attach_type) noexcept {
    ProgAttachAttr a{};
    a.target_fd = static_cast<u32>(target_fd);
    a.attach_bpf_fd = static_cast<u32>(prog_fd);
    a.attach_type = attach_type;
    auto r = bpf(Cmd::ProgDetach, &a, offsetof(ProgAttachAttr, attach_flags));
    if (!r) return std::move(r).error();
    return {};
}

Result<void> prog_test_run(TestRunAttr& attr) noexcept { return run(Cmd::ProgTestRun, attr); }

Result<std::optional<std::uint32_t>> get_next_id(Cmd cmd, std::uint32_t start) noexcept {
    GetIdAttr a{};
    a.id = start;
    auto r = bpf(cmd, &a, offsetof(GetIdAttr, open_flags));
    if (!r) {
        if (r.error().sys_errno() == ENOENT) return std::optional<std::uint32_t>{};
        return std::move(r).error();
    }
    return std::optional<std::uint32_t>(a.next_id);
}

Result<UniqueFd> get_fd_by_id(Cmd cmd, std::uint32_t id) noexcept {
    GetIdAttr a{};
    a.id = id;
    return bpf_fd(cmd, &a, sizeof a);
}

Result<void> obj_get_info_by_fd(int fd, void* info, std::uint32_t& info_len) noexcept {
    InfoAttr a{};
    a.bpf_fd = static_cast<u32>(fd);
    a.info_len = info_len;
    a.info = ptr_to_u64(info);
    auto r = bpf(Cmd::ObjGetInfoByFd, &a, sizeof a);
    if (!r) return std::move(r).error();
    info_len = a.info_len;
    return {};
}

Result<std::vector<std::byte>> btf_bytes(int btf_fd, std::uint32_t size) {
    std::vector<std::byte> bytes(size);
    BtfInfoRaw raw{};
    raw.btf = ptr_to_u64(bytes.data());
    raw.btf_size = size;
    std::uint32_t len = sizeof raw;
    auto r = obj_get_info_by_fd(btf_fd, &raw, len);
    if (!r) return std::move(r).error();
    bytes.resize(std::min<std::size_t>(bytes.size(), raw.btf_size));
    return bytes;
}

Result<void> prog_query(QueryAttr& attr) noexcept { return run(Cmd::ProgQuery, attr); }

Result<UniqueFd> raw_tracepoint_open(const char* name, int prog_fd, std::uint64_t cookie) noexcept {
    RawTracepointAttr a{};
    a.name = ptr_to_u64(name);
    a.prog_fd = static_cast<u32>(prog_fd);
    a.cookie = cookie;
    // Only send the cookie field when used, so kernels before 6.10 (which do not know it) accept the call.
    return bpf_fd(Cmd::RawTracepointOpen, &a, cookie ? sizeof a : offsetof(RawTracepointAttr, cookie));
}

Result<UniqueFd> link_create(LinkCreateAttr& attr) noexcept { return bpf_fd(Cmd::LinkCreate, &attr, sizeof attr); }

Result<void> link_update(const LinkUpdateAttr& attr) noexcept {
    LinkUpdateAttr a = attr;
    return run(Cmd::LinkUpdate, a);
}

Result<void> link_detach(int link_fd) noexcept {
    LinkDetachAttr a{};
    a.link_fd = static_cast<u32>(link_fd);
    return run(Cmd::LinkDetach, a);
}

Result<UniqueFd> iter_create(int link_fd) noexcept {
    IterCreateAttr a{};
    a.link_fd = static_cast<u32>(link_fd);
    return bpf_fd(Cmd::IterCreate, &a, sizeof a);
}

Result<UniqueFd> enable_stats(std::uint32_t type) noexcept {
    EnableStatsAttr a{};
    a.type = type;
    return bpf_fd(Cmd::EnableStats, &a, sizeof a);
}

Result<void> prog_bind_map(int prog_fd, int map_fd) noexcept {
    ProgBindMapAttr a{};
    a.prog_fd = static_cast<u32>(prog_fd);
    a.map_fd = static_cast<u32>(map_fd);
    return run(Cmd::ProgBindMap, a);
}

}  // namespace ebpf::sys
