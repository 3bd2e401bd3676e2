#ifndef TOCSIN_CCURL_H
#define TOCSIN_CCURL_H

#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic macros around variadic functions, which Swift cannot
// call. These forwarders fix the argument type so Swift can.

CURLcode tocsin_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode tocsin_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode tocsin_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode tocsin_curl_setopt_write_function(CURL *handle,
                                           size_t (*callback)(char *, size_t, size_t, void *));
CURLcode tocsin_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

#endif
