#include "interrupt/interrupt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace interrupt {
namespace {

// Lock-free, so the handler may store it; atomic, because curl's resolver
// threads may be the ones the kernel picks to run the handler.
std::atomic<int> s_received {0};
static_assert(std::atomic<int>::is_always_lock_free);

int s_pipe[2] = {-1, -1};

void on_signal(int number) noexcept
{
    int saved = errno;
    s_received.store(number);
    char byte = 1;
    // Non-blocking: with the pipe full, a wake-up is pending anyway.
    [[maybe_unused]] ssize_t n = ::write(s_pipe[1], &byte, 1);
    errno = saved;
}

bool handle(int number) noexcept
{
    struct sigaction action { };
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; // no SA_RESTART: blocked reads return EINTR
    return ::sigaction(number, &action, nullptr) == 0;
}

} // namespace

bool install() noexcept
{
    if (s_pipe[0] < 0 && ::pipe2(s_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    return handle(SIGTERM) && handle(SIGINT);
}

int received() noexcept { return s_received.load(); }

int wake_fd() noexcept { return s_pipe[0]; }

std::string describe(int signal_number)
{
    std::string text = "signal " + std::to_string(signal_number);
    if (signal_number == SIGTERM)
        text += " (SIGTERM)";
    else if (signal_number == SIGINT)
        text += " (SIGINT)";
    return text;
}

} // namespace interrupt
