// SPDX-License-Identifier: MIT
// libFuzzer target: BPF log records (bpf-progs/include/ebpf_log.h) and call-site tables. Records come from a ring
// buffer that any BPF program of the object can write; tables come from the object file. Input: a little-endian
// u16 table length, the table, then one record. Checks that a decode either fails with nothing written or
// succeeds for the site the record names, with bounded output.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include <ebpf/log.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ebpf;
    if (size < 2) return 0;
    std::uint16_t table_len = 0;
    std::memcpy(&table_len, data, 2);
    const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data) + 2, size - 2);
    const std::size_t split = table_len < in.size() ? table_len : in.size();
    const auto table = in.first(split);
    const auto rec = in.subspan(split);

    auto parsed = LogSites::parse(table);
    const LogSites sites = parsed ? std::move(*parsed) : LogSites();
    if (!parsed) {
        EBPF_FUZZ_CHECK(parsed.error().code() == Errc::InvalidArgument);
        fuzz::sink(parsed.error().message());
    }
    for (const LogSite& s : sites.sites()) {
        EBPF_FUZZ_CHECK(sites.find(s.id) == &s);
        EBPF_FUZZ_CHECK(s.level >= LogLevel::Error && s.level <= LogLevel::Trace);
        fuzz::sink(s.format);
        fuzz::sink(s.file);
    }

    std::string out = "not cleared";
    auto r = format_log_record(rec, sites, out);
    if (!r) {
        EBPF_FUZZ_CHECK(out.empty());
        EBPF_FUZZ_CHECK(r.error().code() == Errc::InvalidArgument);
        fuzz::sink(r.error().message());
        return 0;
    }
    const LogSite* site = *r;
    EBPF_FUZZ_CHECK(site != nullptr && rec.size() >= 16);
    std::uint32_t id = 0;
    std::memcpy(&id, rec.data() + 4, 4);
    EBPF_FUZZ_CHECK(site->id == id && site == sites.find(id));
    EBPF_FUZZ_CHECK(site->nargs == static_cast<std::uint8_t>(rec[3]));
    // Each conversion prints at most its width (255), 3 characters per record byte (hex) or a short number.
    EBPF_FUZZ_CHECK(out.size() <= site->format.size() + std::size_t{site->nargs} * (600 + 3 * rec.size()));
    fuzz::sink(out);
    return 0;
}
