#include "input.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

InputBuffer::~InputBuffer() { std::free(m_data); }

InputBuffer::Result InputBuffer::read_all(int fd, uint64_t max_size,
                                          std::string* error)
{
    constexpr size_t s_block = 1 << 20;
    struct stat info{};
    size_t hint = s_block;
    if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0)
        hint = static_cast<size_t>(info.st_size) + 1; // +1 sees the end
    for (;;) {
        if (m_size == m_capacity) {
            size_t grow = m_capacity == 0 ? hint : m_capacity;
            void* data = std::realloc(m_data, m_capacity + grow);
            if (!data)
                throw std::bad_alloc();
            m_data = static_cast<char*>(data);
            m_capacity += grow;
        }
        ssize_t n = ::read(fd, m_data + m_size, m_capacity - m_size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *error = std::string("cannot read the message: ") +
                     std::strerror(errno);
            return Result::ReadError;
        }
        if (n == 0)
            return Result::Ok;
        m_size += static_cast<size_t>(n);
        if (m_size > max_size)
            return Result::TooLarge;
    }
}
