// SPDX-License-Identifier: MIT
#include "base/kernel_name.hpp"

namespace ebpf::detail {

std::string kernel_object_name(std::string_view name) {
    std::string out(name.substr(0, 15));
    for (char& c : out)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            c = '_';
    return out;
}

}  // namespace ebpf::detail
