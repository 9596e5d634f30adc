// SPDX-License-Identifier: MIT
// LircMode2: infrared decoders on a lirc device.
#pragma once

#include <ebpf/programs/view.hpp>

namespace ebpf {

// A typed view of a BPF_PROG_TYPE_LIRC_MODE2 program (section lirc_mode2): it runs for each pulse, space or
// timeout (LIRC_MODE2 value) the device reports, and reports decoded key presses (bpf_rc_keydown,
// bpf_rc_repeat) or pointer movement (bpf_rc_pointer_rel).
// The Link is a BPF_PROG_ATTACH registration on the device (there are no lirc links); it keeps a duplicate of the
// device fd and detaches with BPF_PROG_DETACH.
// Kernel: 4.18 with CONFIG_BPF_LIRC_MODE2 (and a raw IR receiver: /dev/lirc*).
// Requires: CAP_NET_ADMIN (or CAP_SYS_ADMIN) and CAP_BPF, and access to the device node.
// Errors: InvalidArgument (not loaded; the fd is not a lirc device: the kernel's EINVAL), NotFound (no such device
//   path), and the kernel's refusal, naming the program and the device.
// Ownership: the view shares the Program; the Link owns duplicates of the device and program fds.
// Thread safety: as ProgramView.
class LircMode2 : public TypedProgramView<LircMode2> {
public:
    static constexpr const char* kName = "LircMode2";
    static constexpr ProgramType kType = ProgramType::LircMode2;
    static constexpr ProgramKind kKinds[] = {ProgramKind::LircMode2};

    // Attaches to the lirc device open as `device`.
    Result<Link> attach(FdRef device) const;
    // Same, opening the device node (e.g. "/dev/lirc0").
    Result<Link> attach(const char* device_path) const;

private:
    friend class TypedProgramView<LircMode2>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
