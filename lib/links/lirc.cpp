// SPDX-License-Identifier: MIT
// lirc_mode2 programs on a lirc device: BPF_PROG_ATTACH / BPF_PROG_DETACH (there is no lirc bpf_link).
#include <cerrno>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"

namespace ebpf::detail {

Result<Link> attach_lirc(FdRef prog, FdRef device, std::string what) {
    auto target = sys::dup_fd(device.get());
    if (!target) return std::move(target).error().context(what);
    auto pfd = sys::dup_fd(prog.get());
    if (!pfd) return std::move(pfd).error().context(what);
    sys::ProgAttachAttr pa{};
    pa.target_fd = static_cast<std::uint32_t>(device.get());
    pa.attach_bpf_fd = static_cast<std::uint32_t>(prog.get());
    pa.attach_type = static_cast<std::uint32_t>(AttachType::LircMode2);
    if (auto r = sys::prog_attach(pa); !r) {
        Error e = std::move(r).error();
        // rc_dev_get_from_fd(): EINVAL for a file that is not a lirc character device (or an unknown attach type on
        // kernels without CONFIG_BPF_LIRC_MODE2, which cannot load the program in the first place).
        if (e.sys_errno() == EINVAL) {
            e.recode(Errc::InvalidArgument);
            e.context(format("fd %d is not a lirc device (/dev/lirc*) that takes BPF decoders", device.get()));
        }
        return std::move(e).context(what);
    }
    Link::Parts parts;
    parts.resources.push_back(prog_attach_resource(std::move(*target), std::move(*pfd), AttachType::LircMode2, what));
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
