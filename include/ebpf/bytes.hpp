// SPDX-License-Identifier: MIT
// SharedBytes: an immutable byte buffer shared between parsed specs (owned copy, moved vector, or a mapping).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace ebpf {

// SharedBytes keeps its bytes alive for as long as any copy exists; copying it is cheap.
// Ownership: either it owns a vector, or it holds `owner` (e.g. an mmap) that keeps `data` valid.
// Thread safety: immutable; copies may be used and destroyed from any thread.
class SharedBytes {
public:
    SharedBytes() = default;
    explicit SharedBytes(std::vector<std::byte> v)
        : owner_(std::make_shared<std::vector<std::byte>>(std::move(v))),
          data_(*static_cast<const std::vector<std::byte>*>(owner_.get())) {}
    SharedBytes(std::span<const std::byte> data, std::shared_ptr<const void> owner)
        : owner_(std::move(owner)), data_(data) {}
    static SharedBytes copy(std::span<const std::byte> data) {
        return SharedBytes(std::vector<std::byte>(data.begin(), data.end()));
    }

    std::span<const std::byte> span() const noexcept { return data_; }
    const std::byte* data() const noexcept { return data_.data(); }
    std::size_t size() const noexcept { return data_.size(); }
    bool empty() const noexcept { return data_.empty(); }

private:
    std::shared_ptr<const void> owner_;
    std::span<const std::byte> data_;
};

}  // namespace ebpf
