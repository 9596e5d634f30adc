// SPDX-License-Identifier: MIT
// One thin wrapper per bpf(2) command. Each passes a bpf_attr sized to the last field it uses and turns the
// result into a Result: errors name the command ("BPF_MAP_CREATE: Operation not permitted (errno 1)").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>

#include "sys/attr.hpp"

namespace ebpf::sys {

enum class Cmd : int {
    MapCreate = 0,
    MapLookupElem = 1,
    MapUpdateElem = 2,
    MapDeleteElem = 3,
    MapGetNextKey = 4,
    ProgLoad = 5,
    ObjPin = 6,
    ObjGet = 7,
    ProgAttach = 8,
    ProgDetach = 9,
    ProgTestRun = 10,
    ProgGetNextId = 11,
    MapGetNextId = 12,
    ProgGetFdById = 13,
    MapGetFdById = 14,
    ObjGetInfoByFd = 15,
    ProgQuery = 16,
    RawTracepointOpen = 17,
    BtfLoad = 18,
    BtfGetFdById = 19,
    TaskFdQuery = 20,
    MapLookupAndDeleteElem = 21,
    MapFreeze = 22,
    BtfGetNextId = 23,
    MapLookupBatch = 24,
    MapLookupAndDeleteBatch = 25,
    MapUpdateBatch = 26,
    MapDeleteBatch = 27,
    LinkCreate = 28,
    LinkUpdate = 29,
    LinkGetFdById = 30,
    LinkGetNextId = 31,
    EnableStats = 32,
    IterCreate = 33,
    LinkDetach = 34,
    ProgBindMap = 35,
};

const char* cmd_name(Cmd cmd) noexcept;  // "BPF_MAP_CREATE"

// bpf(cmd, attr, size). Errors carry the command name and errno.
Result<long> bpf(Cmd cmd, void* attr, std::size_t size) noexcept;
// Same, for commands that return a new fd: the fd is moved to >= 3 and is close-on-exec.
Result<UniqueFd> bpf_fd(Cmd cmd, void* attr, std::size_t size) noexcept;

// Takes ownership of a fresh descriptor; moves it above 2 because the BPF UAPI reads fd 0 as "none".
Result<UniqueFd> adopt_fd(int fd) noexcept;
// A new close-on-exec descriptor (>= 3) for the same open file.
Result<UniqueFd> dup_fd(int fd) noexcept;

Result<UniqueFd> map_create(MapCreateAttr& attr) noexcept;
// ENOENT (no such key, empty queue) is an answer, not an error: false, and nothing is allocated.
Result<bool> map_lookup_elem(int map_fd, const void* key, void* value, std::uint64_t flags = 0) noexcept;
Result<void> map_update_elem(int map_fd, const void* key, const void* value, std::uint64_t flags = 0) noexcept;
Result<bool> map_delete_elem(int map_fd, const void* key) noexcept;
Result<bool> map_lookup_and_delete_elem(int map_fd, const void* key, void* value, std::uint64_t flags = 0) noexcept;
// Writes the key after `key` (or the first key when key is null); false at the end of the map.
Result<bool> map_get_next_key(int map_fd, const void* key, void* next_key) noexcept;
Result<void> map_freeze(int map_fd) noexcept;

Result<UniqueFd> prog_load(ProgLoadAttr& attr) noexcept;
Result<UniqueFd> btf_load(BtfLoadAttr& attr) noexcept;
Result<void> obj_pin(int fd, const char* path) noexcept;
Result<UniqueFd> obj_get(const char* path, std::uint32_t file_flags = 0) noexcept;
Result<void> prog_attach(const ProgAttachAttr& attr) noexcept;
Result<void> prog_detach(int target_fd, int prog_fd, std::uint32_t attach_type) noexcept;
Result<void> prog_test_run(TestRunAttr& attr) noexcept;
// Next id after `start`, or nullopt at the end. cmd is one of the *_GET_NEXT_ID commands.
Result<std::optional<std::uint32_t>> get_next_id(Cmd cmd, std::uint32_t start) noexcept;
Result<UniqueFd> get_fd_by_id(Cmd cmd, std::uint32_t id) noexcept;
// info_len is in/out: the kernel reports how much it filled.
Result<void> obj_get_info_by_fd(int fd, void* info, std::uint32_t& info_len) noexcept;
// The raw types of a BTF object fd, `size` bytes (its bpf_btf_info's btf_size): BPF_OBJ_GET_INFO_BY_FD with a
// buffer. Shorter when the kernel reports fewer bytes.
Result<std::vector<std::byte>> btf_bytes(int btf_fd, std::uint32_t size);
Result<void> prog_query(QueryAttr& attr) noexcept;
Result<UniqueFd> raw_tracepoint_open(const char* name, int prog_fd, std::uint64_t cookie = 0) noexcept;
Result<UniqueFd> link_create(LinkCreateAttr& attr) noexcept;
Result<void> link_update(const LinkUpdateAttr& attr) noexcept;
Result<void> link_detach(int link_fd) noexcept;
Result<UniqueFd> iter_create(int link_fd) noexcept;
Result<void> prog_bind_map(int prog_fd, int map_fd) noexcept;
// BPF_ENABLE_STATS (5.8+): statistics of `type` (0: BPF_STATS_RUN_TIME) are collected while the returned fd is open.
Result<UniqueFd> enable_stats(std::uint32_t type) noexcept;

}  // namespace ebpf::sys
