// SPDX-License-Identifier: MIT
#include "links/net_util.hpp"

#include <cerrno>

#include "sys/bpf.hpp"
#include "sys/info.hpp"

namespace ebpf::detail {

Result<std::uint32_t> prog_id_of(FdRef prog) {
    sys::ProgInfoRaw info{};
    std::uint32_t len = sizeof info;
    if (auto r = sys::obj_get_info_by_fd(prog.get(), &info, len); !r)
        return std::move(r).error().context("program info");
    return info.id;
}

bool interface_gone(const Error& e) noexcept {
    return e.sys_errno() == ENODEV || e.sys_errno() == ENXIO || e.code() == Errc::NotFound ||
           e.code() == Errc::NoDevice;
}

}  // namespace ebpf::detail
