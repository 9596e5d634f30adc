// SPDX-License-Identifier: MIT
// CO-RE (compile once, run everywhere): matching a local type/field/enumerator against target BTF and computing
// the value a relocated instruction must hold. Pure: target BTFs are passed in as data.
//
// The decision rules follow the kernel's and libbpf's, so objects relocate the same way with either loader:
// candidates share the local type's essential name (flavors "___x" ignored) and kind; every matching candidate
// must agree (otherwise the relocation is ambiguous); with no candidate, existence checks give 0 and everything
// else asks for the instruction to be poisoned.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/btf.hpp>

namespace ebpf::btf {

// One step of an access string ("0:1:2"): a member of a composite (name set) or an array index (name empty).
struct CoreAccessor {
    TypeId type = 0;  // the composite holding the member, or the array element type
    std::uint32_t idx = 0;
    std::string_view name;
};

// A parsed access specification, against local or target BTF.
struct CoreSpec {
    const Spec* btf = nullptr;
    TypeId root = 0;
    CoreReloKind kind = CoreReloKind::FieldByteOffset;
    std::vector<CoreAccessor> access;   // the steps that matter for matching (anonymous members are skipped)
    std::vector<std::uint32_t> raw;     // every index, anonymous members included
    std::uint32_t bit_offset = 0;
};

// The outcome of one relocation: the value the compiler assumed (orig) and the value for the target (new).
struct CoreResult {
    bool poison = false;            // no target: make the instruction fail if it is ever reached
    bool validate = true;           // check that the instruction holds orig_val before patching
    bool fail_memsz_adjust = false; // the field size changed in a way a load cannot be adjusted for
    std::uint64_t orig_val = 0, new_val = 0;
    std::uint32_t orig_size = 0, new_size = 0;  // field sizes for loads/stores (0: not a sized field)
    TypeId orig_type = 0, new_type = 0;
    TypeId target_root = 0;         // the matching target type (0 if none)
    const Spec* target_btf = nullptr;
};

// Target BTFs: vmlinux first, then kernel modules (searched only when vmlinux has no candidate, as libbpf does).
struct CoreTargets {
    const Spec* vmlinux = nullptr;
    // Called only when vmlinux has no candidate for a type (parsing every module's BTF is not free).
    std::function<std::vector<const Spec*>()> modules;
};

// Candidates per local root type, so a type used by many relocations is looked up once per object.
class CoreCandidateCache {
public:
    struct Candidate {
        const Spec* btf;
        TypeId id;
    };
    std::vector<Candidate>& get(const Spec& local, TypeId local_id, const CoreTargets& targets);

private:
    std::map<TypeId, std::vector<Candidate>> cache_;
};

// Parses an access string against local BTF. Errors: Relocation with what is wrong with it.
Result<CoreSpec> core_parse_spec(const Spec& local, TypeId root, std::string_view access, CoreReloKind kind);

// Computes the relocation result for one record. Errors: Relocation (ambiguity, malformed access, ...).
// Like libbpf, candidates that fail a relocation are dropped from the cache for the following ones, unless none
// matched (then the list is kept: the program is expected to check existence). Results therefore depend on the
// order of relocations; the loader uses the object's .BTF.ext order, as libbpf does.
Result<CoreResult> core_calc(const Spec& local, TypeId root, std::string_view access, CoreReloKind kind,
                             const CoreTargets& targets, CoreCandidateCache& cache);

// "struct task_struct.pid (0:12 @ offset 2384)" for messages.
std::string core_describe(const CoreSpec& spec);

// Compatibility relations (exposed for tests and for ksym/kfunc type checks).
Result<bool> core_types_compatible(const Spec& local, TypeId local_id, const Spec& target, TypeId target_id);
Result<bool> core_types_match(const Spec& local, TypeId local_id, const Spec& target, TypeId target_id);

// The poison immediate: a call to helper 0xbad2310 ("bad relo"), which the verifier rejects if reached.
inline constexpr std::int32_t kCorePoisonImm = 0xbad2310;

}  // namespace ebpf::btf
