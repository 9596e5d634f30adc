// SPDX-License-Identifier: MIT
// libFuzzer target: the CO-RE engine and .kconfig value encoding on hostile objects, without a kernel.
//
// Input: an ELF object, optionally preceded by "CORE" + a 32-bit little-endian length + that many bytes of raw
// BTF used as the CO-RE target (else the object's own BTF is the target, which every real object relocates
// against cleanly). Every relocation of every program is computed in .BTF.ext order, as the loader does, and
// patched into a copy of the program; every .kconfig extern is encoded from a set of config values.
// Input starting with "KCFG" is parsed as a kernel config file instead.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <ebpf/btf.hpp>
#include <ebpf/spec.hpp>

#include "btf/core.hpp"
#include "fuzz.hpp"
#include "object/core_patch.hpp"
#include "object/kconfig.hpp"

namespace {

using namespace ebpf;

void fuzz_core(const ObjectSpec& o, const btf::Spec& target) {
    btf::CoreTargets targets;
    targets.vmlinux = &target;
    btf::CoreCandidateCache cache;
    // .BTF.ext order: by record id, each record once (subprogram copies share ids).
    std::vector<std::pair<const CoreReloc*, const ProgramSpec*>> records(o.core_relo_count, {nullptr, nullptr});
    for (const ProgramSpec& p : o.programs)
        for (const CoreReloc& r : p.core_relocs) {
            EBPF_FUZZ_CHECK(r.id < o.core_relo_count);
            if (!records[r.id].first) records[r.id] = {&r, &p};
        }
    for (const auto& [r, p] : records) {
        if (!r) continue;
        auto res = btf::core_calc(*o.btf, r->type, r->access, r->kind, targets, cache);
        if (!res) {
            fuzz::sink(res.error().message());
            continue;
        }
        fuzz::sink(res->new_val + res->orig_val + res->new_size + res->poison);
        std::vector<Instruction> insns = p->instructions;
        if (auto ok = detail::core_patch(insns, r->insn, *res); !ok) fuzz::sink(ok.error().message());
        EBPF_FUZZ_CHECK(insns.size() == p->instructions.size());  // patching never adds or drops instructions
        fuzz::sink(insns[r->insn].imm);
    }
}

void fuzz_kconfig(const ObjectSpec& o) {
    static constexpr std::string_view kValues[] = {"y", "n", "m", "0", "-1", "0x7fffffff", "18446744073709551615",
                                                   "0x10000000000000000", "\"text\"", "\"unterminated", "\"\"",
                                                   "abc"};
    for (const ExternSpec& e : o.externs) {
        if (e.kind != ExternKind::Kconfig || e.size > 4096) continue;
        std::vector<std::byte> dst(e.size);
        for (std::string_view v : kValues) {
            auto ok = detail::kconfig_encode(*o.btf, e, v, dst);
            if (!ok) fuzz::sink(ok.error().message());
            else fuzz::sink(std::span<const std::byte>(dst));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    if (size >= 4 && std::memcmp(data, "KCFG", 4) == 0) {
        auto kc = detail::parse_kconfig(std::string_view(reinterpret_cast<const char*>(data) + 4, size - 4));
        if (!kc) fuzz::sink(kc.error().message());
        else
            for (const auto& [k, v] : *kc) {
                fuzz::sink(k);
                fuzz::sink(v);
            }
        return 0;
    }
    std::optional<btf::Spec> target;
    if (size >= 8 && std::memcmp(data, "CORE", 4) == 0) {
        std::uint32_t len = 0;
        std::memcpy(&len, data + 4, 4);
        len = std::min<std::uint32_t>(len, static_cast<std::uint32_t>(size - 8));
        auto t = btf::Spec::parse(bytes.subspan(8, len));
        if (!t) {
            fuzz::sink(t.error().message());
            return 0;
        }
        target.emplace(std::move(*t));
        bytes = bytes.subspan(8 + len);
    }
    auto o = ObjectSpec::parse(bytes);
    if (!o) {
        fuzz::sink(o.error().message());
        return 0;
    }
    if (!o->btf) return 0;
    fuzz_core(*o, target ? *target : *o->btf);
    fuzz_kconfig(*o);
    return 0;
}
