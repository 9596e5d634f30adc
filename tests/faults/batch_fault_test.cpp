// SPDX-License-Identifier: MIT
// The batch path decision under injected kernel answers. The probe is cached per process, so each case is hidden
// ("[.…]") and run alone by its own meson test (tests/meson.build: kernel-faults-batch-*).
#include <catch2/catch.hpp>

#include <sys/syscall.h>

#include <cerrno>

#include <ebpf/ebpf.hpp>

#include "support/fault_syscall.hpp"

using namespace ebpf;
namespace fault = ebpf::test::fault;

namespace {
constexpr long kLookupBatch = 24;  // BPF_MAP_LOOKUP_BATCH

Map filled_hash() {
    MapSpec s;
    s.name = "fault_batch";
    s.type = MapType::Hash;
    s.key_size = 4;
    s.value_size = 8;
    s.max_entries = 64;
    auto m = Map::create(s);
    REQUIRE(m);
    auto h = HashMap<std::uint32_t, std::uint64_t>::from(*m);
    for (std::uint32_t i = 0; i < 40; ++i) REQUIRE(h->insert(i, i + 1));
    return *m;
}
}  // namespace

TEST_CASE("a kernel without the batch commands (EINVAL) reads element by element", "[.batch_probe_einval]") {
    Map m = filled_hash();
    // Every BPF_MAP_LOOKUP_BATCH fails as on a kernel before 5.6, the probe included.
    fault::arm({.fail_at = 1, .error = EINVAL, .times = 1000, .only_nr = SYS_bpf, .only_cmd = kLookupBatch});
    BatchCursor cursor;
    std::vector<std::uint32_t> keys(64);
    std::vector<std::uint64_t> values(64);
    auto n = lookup_batch<std::uint32_t, std::uint64_t>(m, cursor, keys, values);
    const int probed = fault::calls();
    fault::disarm();
    REQUIRE(n);
    CHECK(*n == 40);
    CHECK(probed == 1);  // the probe, once; the walk did not try the command
    CHECK_FALSE(cursor.kernel_batch());
    for (std::size_t i = 0; i < *n; ++i) CHECK(values[i] == keys[i] + 1);
}

TEST_CASE("a map type without the batch operation (ENOTSUPP) falls back on the first call", "[.batch_probe_enotsupp]") {
    Map m = filled_hash();
    // The probe sees 524 (not EINVAL): the commands exist. The walk's first call is refused as for a map type
    // without the operation, and that walk goes element by element.
    fault::arm({.fail_at = 1, .error = 524, .times = 1000, .only_nr = SYS_bpf, .only_cmd = kLookupBatch});
    BatchCursor cursor;
    std::vector<std::uint32_t> keys(64);
    std::vector<std::uint64_t> values(64);
    auto n = lookup_batch<std::uint32_t, std::uint64_t>(m, cursor, keys, values);
    const int tried = fault::calls();
    fault::disarm();
    REQUIRE(n);
    CHECK(*n == 40);
    CHECK(tried == 2);  // the probe and the first batch call
    CHECK_FALSE(cursor.kernel_batch());
    // Another error from the command is an error, not a fallback.
    fault::arm({.fail_at = 1, .error = EFAULT, .times = 1000, .only_nr = SYS_bpf, .only_cmd = kLookupBatch});
    BatchCursor again;
    auto bad = lookup_batch<std::uint32_t, std::uint64_t>(m, again, keys, values);
    fault::disarm();
    REQUIRE_FALSE(bad);
    CHECK(std::string(bad.error().message()).find("BPF_MAP_LOOKUP_BATCH: Bad address") != std::string::npos);
}
