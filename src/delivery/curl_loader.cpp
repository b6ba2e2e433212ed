// libcurl, loaded when the first request is made instead of at start-up.
//
// Why: linking libcurl makes the dynamic loader map and bind it and its
// dependency chain (nghttp2, libssh2, Kerberos, LDAP, ...) on every run:
// about 15 M of the 21 M instructions a tiny --dry-run cost (callgrind).
// A dry run, or a run that fails before delivery, needs none of it.
//
// How: this file defines the libcurl functions that http.cpp calls, with
// libcurl's own signatures from <curl/curl.h>, and forwards each call to
// the real function, found with dlopen/dlsym on first use. The program is
// not linked against libcurl (meson uses only curl's headers), so these
// definitions are the ones the linker sees. If libcurl cannot be loaded,
// every call fails the way libcurl reports failure (a null handle or
// CURLE_FAILED_INIT), which the delivery code turns into a deferral, and
// the reason is logged once.
#include "logging/log.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <string>

namespace {

constexpr const char* s_library = "libcurl.so.4";

struct Api {
    void* handle = nullptr;
    void* lookup(const char* name) const
    {
        return handle ? dlsym(handle, name) : nullptr;
    }
};

const Api& api()
{
    static const Api s_api = [] {
        Api loaded;
        loaded.handle = dlopen(s_library, RTLD_NOW | RTLD_LOCAL);
        if (!loaded.handle) {
            const char* why = dlerror();
            logging::warning(std::string("cannot load ") + s_library + ": " +
                             (why ? why : "unknown error"));
        }
        return loaded;
    }();
    return s_api;
}

// The real function `name` with the type of our definition of it.
template <class F>
F* real(const char* name)
{
    return reinterpret_cast<F*>(api().lookup(name));
}

#define M2W_FORWARD(name, failure, ...)                                      \
    auto* fn = real<decltype(::name)>(#name);                                \
    return fn ? fn(__VA_ARGS__) : failure

// curl's option numbers carry the type of their argument (curl.h,
// CURLOPTTYPE_*): below 10000 a long, below 30000 a pointer (data or
// function), below 40000 a curl_off_t, above a pointer again.
enum class ArgKind { Long, Pointer, OffT };

ArgKind kind_of(int option)
{
    if (option < CURLOPTTYPE_OBJECTPOINT)
        return ArgKind::Long;
    if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB)
        return ArgKind::OffT;
    return ArgKind::Pointer;
}

// Calls a variadic curl setter with the one argument `args` holds, read
// with the type its option number says.
template <class Fn, class Handle, class Option>
auto forward_option(Fn* fn, Handle* handle, Option option, va_list args)
{
    switch (kind_of(option)) {
    case ArgKind::Long:
        return fn(handle, option, va_arg(args, long));
    case ArgKind::OffT:
        return fn(handle, option, va_arg(args, curl_off_t));
    case ArgKind::Pointer:
        break;
    }
    return fn(handle, option, va_arg(args, void*));
}

} // namespace

extern "C" {

CURLcode curl_global_init(long flags)
{
    M2W_FORWARD(curl_global_init, CURLE_FAILED_INIT, flags);
}

void curl_global_cleanup(void)
{
    if (auto* fn = real<decltype(::curl_global_cleanup)>("curl_global_cleanup"))
        fn();
}

CURL* curl_easy_init(void)
{
    M2W_FORWARD(curl_easy_init, nullptr);
}

void curl_easy_cleanup(CURL* curl)
{
    if (auto* fn = real<decltype(::curl_easy_cleanup)>("curl_easy_cleanup"))
        fn(curl);
}

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...)
{
    auto* fn = real<decltype(::curl_easy_setopt)>("curl_easy_setopt");
    if (!fn)
        return CURLE_FAILED_INIT;
    va_list args;
    va_start(args, option);
    CURLcode result = forward_option(fn, curl, option, args);
    va_end(args);
    return result;
}

CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...)
{
    auto* fn = real<decltype(::curl_easy_getinfo)>("curl_easy_getinfo");
    if (!fn)
        return CURLE_FAILED_INIT;
    va_list args;
    va_start(args, info);
    void* out = va_arg(args, void*); // every CURLINFO takes a pointer
    va_end(args);
    return fn(curl, info, out);
}

CURLcode curl_easy_pause(CURL* curl, int bitmask)
{
    M2W_FORWARD(curl_easy_pause, CURLE_FAILED_INIT, curl, bitmask);
}

CURLcode curl_easy_perform(CURL* curl)
{
    M2W_FORWARD(curl_easy_perform, CURLE_FAILED_INIT, curl);
}

const char* curl_easy_strerror(CURLcode code)
{
    M2W_FORWARD(curl_easy_strerror, "libcurl is not available", code);
}

void curl_free(void* pointer)
{
    if (auto* fn = real<decltype(::curl_free)>("curl_free"))
        fn(pointer);
}

curl_slist* curl_slist_append(curl_slist* list, const char* text)
{
    M2W_FORWARD(curl_slist_append, nullptr, list, text);
}

void curl_slist_free_all(curl_slist* list)
{
    if (auto* fn = real<decltype(::curl_slist_free_all)>("curl_slist_free_all"))
        fn(list);
}

CURLM* curl_multi_init(void)
{
    M2W_FORWARD(curl_multi_init, nullptr);
}

CURLMcode curl_multi_cleanup(CURLM* multi)
{
    M2W_FORWARD(curl_multi_cleanup, CURLM_INTERNAL_ERROR, multi);
}

CURLMcode curl_multi_setopt(CURLM* multi, CURLMoption option, ...)
{
    auto* fn = real<decltype(::curl_multi_setopt)>("curl_multi_setopt");
    if (!fn)
        return CURLM_INTERNAL_ERROR;
    va_list args;
    va_start(args, option);
    CURLMcode result = forward_option(fn, multi, option, args);
    va_end(args);
    return result;
}

CURLMcode curl_multi_add_handle(CURLM* multi, CURL* curl)
{
    M2W_FORWARD(curl_multi_add_handle, CURLM_INTERNAL_ERROR, multi, curl);
}

CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* curl)
{
    M2W_FORWARD(curl_multi_remove_handle, CURLM_INTERNAL_ERROR, multi, curl);
}

CURLMcode curl_multi_perform(CURLM* multi, int* running)
{
    M2W_FORWARD(curl_multi_perform, CURLM_INTERNAL_ERROR, multi, running);
}

CURLMcode curl_multi_poll(CURLM* multi, curl_waitfd extra[],
                          unsigned int extra_count, int timeout_ms, int* ret)
{
    M2W_FORWARD(curl_multi_poll, CURLM_INTERNAL_ERROR, multi, extra,
                extra_count, timeout_ms, ret);
}

CURLMcode curl_multi_wakeup(CURLM* multi)
{
    M2W_FORWARD(curl_multi_wakeup, CURLM_INTERNAL_ERROR, multi);
}

CURLMsg* curl_multi_info_read(CURLM* multi, int* left)
{
    M2W_FORWARD(curl_multi_info_read, nullptr, multi, left);
}

CURLU* curl_url(void)
{
    M2W_FORWARD(curl_url, nullptr);
}

void curl_url_cleanup(CURLU* url)
{
    if (auto* fn = real<decltype(::curl_url_cleanup)>("curl_url_cleanup"))
        fn(url);
}

CURLUcode curl_url_get(CURLU* url, CURLUPart part, char** out,
                       unsigned int flags)
{
    M2W_FORWARD(curl_url_get, CURLUE_OUT_OF_MEMORY, url, part, out, flags);
}

CURLUcode curl_url_set(CURLU* url, CURLUPart part, const char* value,
                       unsigned int flags)
{
    M2W_FORWARD(curl_url_set, CURLUE_OUT_OF_MEMORY, url, part, value, flags);
}

} // extern "C"
