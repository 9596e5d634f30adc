// SPDX-License-Identifier: MIT
#include "programs/target_btf.hpp"

#include <vector>

#include <ebpf/btf.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"

namespace ebpf::detail {

Result<std::uint32_t> find_program_func(int prog_fd, std::string_view name) {
    sys::ProgInfoRaw pi{};
    std::uint32_t len = sizeof pi;
    EBPF_TRY(sys::obj_get_info_by_fd(prog_fd, &pi, len).context("target program info"));
    if (pi.btf_id == 0)
        return Error(Errc::NotSupported, "the target program was loaded without BTF (compile it with clang -g)");
    auto btf_fd = sys::get_fd_by_id(sys::Cmd::BtfGetFdById, pi.btf_id);
    if (!btf_fd) return std::move(btf_fd).error().context("target program BTF");
    // First ask for the size, then for the bytes.
    sys::BtfInfoRaw bi{};
    len = sizeof bi;
    EBPF_TRY(sys::obj_get_info_by_fd(btf_fd->get(), &bi, len).context("target program BTF"));
    std::vector<std::byte> raw(bi.btf_size);
    const std::uint32_t size = bi.btf_size;
    bi = {};
    bi.btf = sys::ptr_to_u64(raw.data());
    bi.btf_size = size;
    len = sizeof bi;
    EBPF_TRY(sys::obj_get_info_by_fd(btf_fd->get(), &bi, len).context("target program BTF"));
    auto spec = btf::Spec::parse(std::span<const std::byte>(raw.data(), std::min<std::size_t>(raw.size(), bi.btf_size)));
    if (!spec) return std::move(spec).error().context("target program BTF");
    auto id = spec->find(name, btf::Kind::Func);
    if (!id)
        return Error(Errc::NotFound, format("the target program (id %u) has no function '%.*s' in its BTF; freplace "
                                            "needs a global (non-static, non-inlined) function",
                                            pi.id, EBPF_SV(name)));
    return *id;
}

}  // namespace ebpf::detail
