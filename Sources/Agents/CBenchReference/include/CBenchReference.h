// The references `concord bench` measures Concord against, written in C so that the reference
// runs at the physical limit of the machine rather than at the speed of a Swift client.
#ifndef CONCORD_CBENCHREFERENCE_H
#define CONCORD_CBENCHREFERENCE_H

#include <stddef.h>
#include <stdint.h>

/// libzmq's own path, as Concord's bus uses it: a C publisher -> zmq_proxy (XSUB/XPUB) -> a C
/// subscriber over loopback TCP, `count` messages of [topic][payload]. Returns messages per
/// second from the first message received to the last; on failure returns -1 and writes the
/// reason (with the count received) to `error`. Waits at most `stall_ms` without progress.
double concord_libzmq_proxy_rate(int count, const char *topic, const uint8_t *payload, size_t payload_len,
                                 int stall_ms, char *error, size_t error_len);

/// A set of NATS subscriber connections read by one thread, counting the messages each gets.
typedef struct concord_nats_readers concord_nats_readers;

/// Connects `connections` clients to host:port (with `token` when not NULL), subscribes each to
/// `subject`, and starts reading. NULL on failure, with the reason in `error`.
concord_nats_readers *concord_nats_readers_start(const char *host, int port, const char *token, const char *subject,
                                                 int connections, char *error, size_t error_len);
/// The fewest messages any of the connections has received so far.
int64_t concord_nats_readers_min(concord_nats_readers *readers);
/// Messages received by all connections together.
int64_t concord_nats_readers_total(concord_nats_readers *readers);
/// Stops the reading thread and closes the connections.
void concord_nats_readers_stop(concord_nats_readers *readers);

/// A NATS publishing connection writing pre-built protocol bytes.
typedef struct concord_nats_writer concord_nats_writer;

concord_nats_writer *concord_nats_writer_open(const char *host, int port, const char *token, char *error, size_t error_len);
/// Writes `message` (a whole `PUB ...\r\n<payload>\r\n`) `total` times, keeping at most `window`
/// messages ahead of what `arrived()` reports; gives up after `stall_ms` without progress.
/// Returns the messages written, or -1 when the socket failed.
int64_t concord_nats_writer_send(concord_nats_writer *writer, const uint8_t *message, size_t message_len, int64_t total,
                                 int64_t window, int64_t (*arrived)(void *), void *context, int stall_ms);
void concord_nats_writer_close(concord_nats_writer *writer);

#endif
