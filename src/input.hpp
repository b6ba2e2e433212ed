// Reading the whole message into one buffer, which every later stage views.
// The buffer grows with realloc, which the C library serves with mremap
// for large blocks, so growing never holds two copies of the message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

class InputBuffer {
public:
    InputBuffer() = default;
    InputBuffer(const InputBuffer&) = delete;
    InputBuffer& operator=(const InputBuffer&) = delete;
    ~InputBuffer();

    enum class Result { Ok, TooLarge, ReadError };

    // Reads `fd` to its end, or until more than `max_size` bytes arrived.
    Result read_all(int fd, uint64_t max_size, std::string* error);

    std::string_view view() const noexcept { return {m_data, m_size}; }

private:
    char* m_data = nullptr;
    size_t m_size = 0;
    size_t m_capacity = 0;
};
