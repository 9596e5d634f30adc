// SPDX-License-Identifier: MIT
// Loading BTF blobs into the kernel (BPF_BTF_LOAD), with the kernel's BTF log on failure.
#include <cerrno>
#include <string>

#include <ebpf/features.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "btf/sanitize.hpp"
#include "features/own_probes.hpp"
#include "loader/state.hpp"
#include "sys/bpf.hpp"

namespace ebpf::detail {

Result<UniqueFd> load_btf_blob(std::span<const std::byte> blob) {
    sys::BtfLoadAttr a{};
    a.btf = sys::ptr_to_u64(blob.data());
    a.btf_size = static_cast<std::uint32_t>(blob.size());
    auto fd = sys::btf_load(a);
    if (fd) return fd;
    if (fd.error().sys_errno() == EPERM) return std::move(fd).error();
    // Load again with a log: the kernel's BTF checker says which type it rejected.
    std::string log(256 * 1024, '\0');
    a.btf_log_buf = sys::ptr_to_u64(log.data());
    a.btf_log_size = static_cast<std::uint32_t>(log.size());
    a.btf_log_level = 1;
    auto again = sys::btf_load(a);
    if (again) return again;
    log.resize(log.find('\0') == std::string::npos ? log.size() : log.find('\0'));
    while (!log.empty() && log.back() == '\n') log.pop_back();
    const auto nl = log.rfind('\n', log.size() > 400 ? log.size() - 400 : 0);
    std::string tail = nl == std::string::npos ? log : log.substr(nl + 1);
    Error e = std::move(again).error();
    if (!tail.empty()) e.context(format("kernel BTF log: %s", tail.c_str()));
    return std::move(e).set_verifier_log(std::move(log));
}

namespace {

// Probes only the features this BTF actually uses; each probe is a BTF_LOAD of a few bytes, cached per process.
Result<btf::BtfSupport> kernel_support_for(const btf::BtfSupport& used) {
    btf::BtfSupport have;
    struct Item {
        bool used;
        bool* have;
        Feature f;
    };
    const Item items[] = {
        {used.func, &have.func, Feature::BtfFunc},
        {used.global_func, &have.global_func, Feature::BtfGlobalFunc},
        {used.datasec, &have.datasec, Feature::BtfDatasec},
        {used.qmark_datasec, &have.qmark_datasec, Feature::BtfQmarkDatasec},
        {used.float_kind, &have.float_kind, Feature::BtfFloat},
        {used.decl_tag, &have.decl_tag, Feature::BtfDeclTag},
        {used.type_tag, &have.type_tag, Feature::BtfTypeTag},
        {used.enum64, &have.enum64, Feature::BtfEnum64},
    };
    for (const Item& i : items) {
        if (!i.used) continue;
        EBPF_TRY_ASSIGN(*i.have, has_btf_feature(i.f));
    }
    return have;
}

bool all_supported(const btf::BtfSupport& h) {
    return h.func && h.global_func && h.datasec && h.qmark_datasec && h.float_kind && h.decl_tag && h.type_tag &&
           h.enum64;
}

}  // namespace

Result<void> load_object_btf(Object::State& s) {
    if (!s.spec.btf) return {};
    EBPF_TRY_ASSIGN(const bool basic, has_btf_feature(Feature::Btf));
    if (!basic) {
        s.warnings.push_back("the kernel does not load BTF; loading without it (no func/line info, no map types)");
        return {};
    }
    EBPF_TRY_ASSIGN(const btf::BtfSupport have, kernel_support_for(btf::btf_features_used(*s.spec.btf)));
    std::vector<std::byte> sanitized;
    std::span<const std::byte> blob = s.spec.btf->raw();
    if (!all_supported(have)) {
        // Rewrite what this kernel cannot parse; ids and record sizes stay, so everything else still refers
        // to the right types.
        sanitized = btf::sanitize(*s.spec.btf, have);
        blob = sanitized;
        s.btf_without_func = !have.func;
    }
    auto fd = load_btf_blob(blob);
    if (!fd) {
        if (fd.error().code() == Errc::Permission) return std::move(fd).error().context("load object BTF");
        // Like libbpf, BTF is optional for programs and maps that do not need it: they load without func/line
        // info and without map key/value types. Say so instead of hiding it.
        s.warnings.push_back(format("object BTF rejected by the kernel (%.*s); loading without BTF",
                                    EBPF_SV(fd.error().message())));
        return {};
    }
    s.btf = std::make_shared<const UniqueFd>(std::move(*fd));
    return {};
}

}  // namespace ebpf::detail
