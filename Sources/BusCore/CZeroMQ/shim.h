#ifndef CONCORD_CZEROMQ_SHIM_H
#define CONCORD_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#endif
