// What happened to a message, as a value. Every failure the program can
// meet is one of these kinds; status/exit_codes.cpp maps each kind to the
// sysexits code and enhanced status code the mail server sees.
#pragma once

#include <string>

namespace status {

enum class Kind {
    Delivered,
    ConnectFailed,     // refused, unreachable, DNS
    TimedOut,          // one attempt took longer than --timeout
    DeadlineReached,   // the whole run hit --deadline
    HttpTemporary,     // 408, 425, 429, 5xx
    HttpUnauthorized,  // 401, 403
    HttpNotFound,      // 404, 405, and 3xx (redirects are not followed)
    HttpOther,         // any other non-2xx answer
    TlsFailed,         // certificate verification and other TLS errors
    ContentRejected,   // 400, 415, 422
    TooLarge,          // 413, or the message is over --max-size
    Gone,              // 410
    Usage,             // bad options or configuration
    StateUnavailable,  // --state-dir cannot be read, written or locked
    EmptyInput,
    InternalError,     // read error, out of memory, a bug
    Interrupted,       // SIGTERM or SIGINT ended the run
};

struct Outcome {
    Kind kind = Kind::Delivered;
    std::string reason; // one line, no URL path, query or credentials
    long http_status = 0;
    int attempts = 0;
};

} // namespace status
