// SPDX-License-Identifier: MIT
// LircMode2: a decoder on a lirc device (links/lirc.cpp).
#include <ebpf/programs/lirc_mode2.hpp>

#include <fcntl.h>

#include "base/format.hpp"
#include "links/attach.hpp"

namespace ebpf {

using detail::format;

Result<Link> LircMode2::attach(FdRef device) const {
    std::string what = format("attach lirc_mode2 program '%s' to device fd %d", prog_.name().c_str(), device.get());
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    return detail::attach_lirc(prog_.fd(), device, std::move(what));
}

Result<Link> LircMode2::attach(const char* device_path) const {
    const std::string what = format("attach lirc_mode2 program '%s' to %s", prog_.name().c_str(), device_path);
    auto fd = UniqueFd::open(device_path, O_RDWR);
    if (!fd) return std::move(fd).error().context(what);
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    return detail::attach_lirc(prog_.fd(), *fd, what);
}

}  // namespace ebpf
