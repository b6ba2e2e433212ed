// SIGTERM and SIGINT end a run early but cleanly: the loops that can wait
// (reading the message, waiting for the lock, curl's poll, backoff) look
// here and stop, so destructors release the lock and the status line and
// exit 75 still reach the mail server. The handler itself only records the
// signal and writes one byte to a pipe, both async-signal-safe.
#pragma once

#include <string>

namespace interrupt {

// Installs the handlers with sigaction(2), without SA_RESTART: a blocking
// call returns EINTR instead of waiting on. False when the pipe or a
// handler cannot be set up; the run then goes on without them. Call once,
// before anything waits.
bool install() noexcept;

// The signal received since install(), or 0. Safe from any thread.
int received() noexcept;

// A descriptor that becomes readable, and stays so, once a signal has
// arrived: poll(2) it next to the descriptors being waited for, so that a
// signal landing just before the wait cannot be missed. -1 before
// install().
int wake_fd() noexcept;

// "signal 15 (SIGTERM)", for the status line.
std::string describe(int signal_number);

} // namespace interrupt
