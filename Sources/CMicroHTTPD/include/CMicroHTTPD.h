#ifndef TOCSIN_CMICROHTTPD_H
#define TOCSIN_CMICROHTTPD_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

// MHD_start_daemon takes a variadic option list, which Swift cannot build. This forwarder starts a daemon
// with the options Tocsin uses: an internal thread per connection (handlers may block on Redis or a long
// poll), a connection limit, a per-connection timeout and the loopback-or-any listen address.
struct MHD_Daemon *tocsin_mhd_start(const struct sockaddr *address,
                                    unsigned int connection_limit,
                                    unsigned int connection_timeout_seconds,
                                    MHD_AccessHandlerCallback handler,
                                    void *handler_context,
                                    MHD_RequestCompletedCallback completed,
                                    void *completed_context);

// The port the daemon bound (useful when asked for port 0), or 0.
uint16_t tocsin_mhd_bound_port(struct MHD_Daemon *daemon);

#endif
