// SPDX-License-Identifier: MIT
// BTF (BPF Type Format): a zero-copy decoder for object, kernel (vmlinux) and split (module) BTF.
//
// Kernel: BTF is described in Documentation/bpf/btf.rst; kinds 1..19 (INT .. ENUM64) are decoded.
// Both byte orders are read (objects built with clang -target bpfeb carry big-endian BTF).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/bytes.hpp>
#include <ebpf/error.hpp>

namespace ebpf::btf {

using TypeId = std::uint32_t;

enum class Kind : std::uint8_t {
    Void = 0,
    Int = 1,
    Ptr = 2,
    Array = 3,
    Struct = 4,
    Union = 5,
    Enum = 6,
    Fwd = 7,
    Typedef = 8,
    Volatile = 9,
    Const = 10,
    Restrict = 11,
    Func = 12,
    FuncProto = 13,
    Var = 14,
    Datasec = 15,
    Float = 16,
    DeclTag = 17,
    TypeTag = 18,
    Enum64 = 19,
};
inline constexpr unsigned kKindCount = 20;
std::string_view to_string(Kind k) noexcept;  // "struct", "func_proto", ...
// Whether a record of this kind has a size in its third word (INT, STRUCT, UNION, ENUM, ENUM64, DATASEC, FLOAT);
// the others refer to a type there (or have neither).
bool kind_has_size(Kind k) noexcept;
// Whether a record of this kind refers to a type in its third word (PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC,
// FUNC_PROTO: the return type, VAR, DECL_TAG, TYPE_TAG).
bool kind_has_type(Kind k) noexcept;

// BTF_INT_* encoding bits.
inline constexpr std::uint32_t kIntSigned = 1, kIntChar = 2, kIntBool = 4;
// BTF_FUNC_* linkage (FUNC) and BTF_VAR_* linkage (VAR).
inline constexpr std::uint32_t kFuncStatic = 0, kFuncGlobal = 1, kFuncExtern = 2;
inline constexpr std::uint32_t kVarStatic = 0, kVarGlobalAllocated = 1, kVarGlobalExtern = 2;

struct Member {
    std::string_view name;
    TypeId type = 0;
    std::uint32_t bit_offset = 0;     // offset of the member in bits
    std::uint32_t bitfield_size = 0;  // 0 unless the struct has kind_flag set and the member is a bitfield
};
struct Enumerator {
    std::string_view name;
    std::int64_t value = 0;  // ENUM values are sign- or zero-extended by the kind flag
};
struct Param {
    std::string_view name;
    TypeId type = 0;
};
struct VarSecinfo {
    TypeId type = 0;
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
};
struct ArrayInfo {
    TypeId elem_type = 0;
    TypeId index_type = 0;
    std::uint32_t nelems = 0;
};

class Spec;

// Type is a view of one type record; it is valid while the Spec (or any copy of it) is alive.
// Accessors never read outside the record; calling an accessor that does not apply to kind() returns zeros.
class Type {
public:
    Type() = default;
    TypeId id() const noexcept { return id_; }
    Kind kind() const noexcept;
    std::string_view name() const noexcept;  // "" for anonymous types and for an unreadable name offset
    std::uint32_t name_off() const noexcept;
    std::uint16_t vlen() const noexcept;
    bool kind_flag() const noexcept;
    std::uint32_t size() const noexcept;  // INT, STRUCT, UNION, ENUM, ENUM64, DATASEC, FLOAT
    TypeId type() const noexcept;         // PTR, TYPEDEF, qualifiers, FUNC, FUNC_PROTO (return), VAR, DECL_TAG, TYPE_TAG

    std::uint32_t int_encoding() const noexcept;
    std::uint32_t int_offset() const noexcept;
    std::uint32_t int_bits() const noexcept;
    bool is_signed() const noexcept;  // INT with kIntSigned, or ENUM/ENUM64 with the kind flag

    ArrayInfo array() const noexcept;
    Member member(std::uint32_t i) const noexcept;          // STRUCT, UNION
    Enumerator enumerator(std::uint32_t i) const noexcept;  // ENUM, ENUM64
    Param param(std::uint32_t i) const noexcept;            // FUNC_PROTO
    VarSecinfo secinfo(std::uint32_t i) const noexcept;     // DATASEC
    std::uint32_t linkage() const noexcept;                 // FUNC (from vlen) and VAR
    std::int32_t component_idx() const noexcept;            // DECL_TAG: -1 for the type itself

    // True for VOLATILE, CONST, RESTRICT and TYPE_TAG.
    bool is_qualifier() const noexcept;
    bool is_composite() const noexcept { return kind() == Kind::Struct || kind() == Kind::Union; }

private:
    friend class Spec;
    Type(const void* impl, TypeId id, const std::byte* rec) : impl_(impl), id_(id), rec_(rec) {}
    std::uint32_t u32(std::size_t off) const noexcept;
    const void* impl_ = nullptr;  // the Spec::Impl that owns rec_; outlives every Spec copy's use
    TypeId id_ = 0;
    const std::byte* rec_ = nullptr;  // null for VOID
};

// Spec is a parsed BTF blob. Copies share the same immutable data, so passing a Spec by value is cheap.
// A name index is built lazily, per kind, on the first lookup; lookups are thread-safe.
class Spec {
public:
    Spec();
    // Parses a BTF blob. `base` is the vmlinux spec when parsing split (module) BTF.
    // Errors: MalformedBtf naming the offending header field or type id.
    static Result<Spec> parse(SharedBytes bytes, const Spec* base = nullptr);
    static Result<Spec> parse(std::span<const std::byte> bytes, const Spec* base = nullptr) {
        return parse(SharedBytes::copy(bytes), base);
    }

    // Thorough check of every type's references, names and sizes (parse() only checks record bounds so that
    // kernel BTF stays cheap to open). Objects are validated before use; kernel BTF is trusted.
    Result<void> validate() const;

    // Number of type ids, including VOID (id 0) and, for split BTF, the base's types.
    std::uint32_t type_count() const noexcept;
    // First type id defined by this blob (0 for base BTF; the base's type_count() for split BTF).
    TypeId first_id() const noexcept;
    // The type with this id. Errors: NotFound when out of range.
    Result<Type> type(TypeId id) const;
    // Unchecked variant for ids already known to be valid (e.g. from find()); returns VOID when out of range.
    Type type_or_void(TypeId id) const noexcept;

    // String at an offset of the string section (split BTF: base strings first). nullopt when out of range.
    std::optional<std::string_view> string(std::uint32_t off) const noexcept;

    // Id of the first type with exactly this name and kind. Errors: NotFound.
    Result<TypeId> find(std::string_view name, Kind kind) const;
    // All ids of this kind whose "essential" name (with any ___suffix removed) equals `essential_name`,
    // including the base's types for split BTF. Used for CO-RE candidates.
    std::vector<TypeId> find_candidates(std::string_view essential_name, Kind kind) const;

    // Follows TYPEDEF and qualifiers (CONST, VOLATILE, RESTRICT, TYPE_TAG). Errors on loops and bad ids.
    Result<Type> skip_modifiers(TypeId id) const;
    // Size in bytes of a type (arrays multiply, typedefs and qualifiers are followed, pointers are 8).
    Result<std::uint32_t> resolve_size(TypeId id) const;
    // Human-readable description such as "struct task_struct" or "char const *" (qualifiers follow the type).
    std::string describe(TypeId id) const;

    bool swapped() const noexcept;  // the blob's byte order differs from the host's
    bool big_endian() const noexcept;
    std::span<const std::byte> raw() const noexcept;  // the whole blob as given
    std::uint32_t string_section_size() const noexcept;  // this blob's own strings
    const Spec* base() const noexcept;

    // Header fields, for tools.
    std::uint32_t header_len() const noexcept;

    struct Impl;  // opaque; defined in lib/btf

private:
    friend class Type;
    explicit Spec(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

// C header generation (what `bpftool btf dump ... format c` does to make vmlinux.h).
struct DumpCOptions {
    // Emit only these types and what they reference; empty: every type in the spec.
    std::vector<TypeId> roots;
    // #ifndef/#define guard around the header; empty: none.
    std::string header_guard = "__EBPF_CXX_BTF_H__";
    // Wrap the types in `#pragma clang attribute push (__attribute__((preserve_access_index)), ...)`, so that BPF
    // programs accessing them get CO-RE relocations (unless they define BPF_NO_PRESERVE_ACCESS_INDEX).
    bool preserve_access_index = true;
    // Generated text beyond this fails the dump (crafted BTF can make inline anonymous types grow exponentially).
    std::size_t max_output = std::size_t{256} << 20;
};
// A C header declaring the spec's types so that sizes and member offsets match the BTF: definitions come before
// by-value uses, pointer-only uses get forward declarations, padding or __attribute__((packed)) reproduce layouts,
// and clashing names get a "___N" suffix. VAR, DATASEC, FUNC and DECL_TAG are not emitted. TYPE_TAG is written as
// __btf_type_tag("name") (kind-flag tags, type attributes, as __btf_type_attr(attr)), macros the header defines
// when it uses them: the attribute for C compilers that have btf_type_tag (clang), nothing for C++ and GCC.
// Split BTF: the base's types are declared too.
// Errors: MalformedBtf for types that cannot be written in C (a struct containing itself, a typedef loop, chains
// too deep), ResourceLimit past max_output, NotFound for a bad root, InvalidArgument for a bad guard name.
Result<std::string> dump_c(const Spec& spec, const DumpCOptions& options = {});

// The part of a name before a "___flavor" suffix ("task_struct___v2" -> "task_struct").
std::string_view essential_name(std::string_view name) noexcept;

// .BTF.ext: per-section func_info, line_info and CO-RE relocation records.
struct FuncInfo {
    std::uint32_t insn_off = 0;  // in bytes from the start of the ELF section
    TypeId type = 0;             // a FUNC in the object's BTF
};
struct LineInfo {
    std::uint32_t insn_off = 0;  // in bytes
    std::uint32_t file_name_off = 0;
    std::uint32_t line_off = 0;
    std::uint32_t line_col = 0;  // line << 10 | column
};
enum class CoreReloKind : std::uint32_t {
    FieldByteOffset = 0,
    FieldByteSize = 1,
    FieldExists = 2,
    FieldSigned = 3,
    FieldLshiftU64 = 4,
    FieldRshiftU64 = 5,
    TypeIdLocal = 6,
    TypeIdTarget = 7,
    TypeExists = 8,
    TypeSize = 9,
    EnumvalExists = 10,
    EnumvalValue = 11,
    TypeMatches = 12,
};
std::string_view to_string(CoreReloKind k) noexcept;  // "byte_off", "field_exists", ...
struct CoreRelo {
    std::uint32_t insn_off = 0;  // in bytes
    TypeId type = 0;             // local root type
    std::uint32_t access_str_off = 0;
    CoreReloKind kind = CoreReloKind::FieldByteOffset;
};
template <class T>
struct ExtSection {
    std::string section;  // ELF section name the records belong to
    std::vector<T> records;
};
struct ExtInfo {
    std::vector<ExtSection<FuncInfo>> func_info;
    std::vector<ExtSection<LineInfo>> line_info;
    std::vector<ExtSection<CoreRelo>> core_relos;
    std::uint32_t func_info_rec_size = 8;
    std::uint32_t line_info_rec_size = 16;

    // Parses .BTF.ext against the object's BTF (section names live in its string table).
    // The byte order is the BTF's. Errors: MalformedBtf.
    static Result<ExtInfo> parse(std::span<const std::byte> bytes, const Spec& btf);
};

}  // namespace ebpf::btf
