/*
 * tlsload: the two TLS clients the benchmark needs that wrk and h2load cannot be trusted with.
 *
 *   tlsload rate HOST PORT SECONDS THREADS PATH [RATE]
 *       Each thread loops until the deadline: connect, FULL TLS 1.3 handshake (a fresh SSL object,
 *       no session ever set, client session cache off, so resumption is impossible), one
 *       keep-alive "GET PATH HTTP/1.1", read the whole response, close_notify, close (client first).
 *       With RATE > 0 the threads together start at most RATE connections per second (paced, for
 *       background load); without it, or with 0, as many as they can.
 *       Prints one line: conns=N errors=N resumed=N secs=S rate=R cipher=C group=G sig=K
 *
 *   tlsload hold HOST PORT COUNT SECONDS
 *       Opens COUNT TLS connections, one keep-alive request each (response read completely), prints
 *       "held=N errors=N" and keeps them open, idle, until SIGTERM/SIGINT or SECONDS have passed.
 *
 * Every connection offers only TLS 1.3, TLS_AES_128_GCM_SHA256 and X25519, like the other clients of
 * the benchmark. Only numeric addresses are accepted (the benchmark targets 127.0.0.1 only).
 * Every socket has 5 s send/receive timeouts, so no step can hang.
 *
 * Build: cc -O2 -pthread -o tlsload tlsload.c -lssl -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static SSL_CTX *ctx;
static struct sockaddr_in addr;
static char request[512];
static double deadline;
static double pace_interval; /* seconds between two connections of one thread; 0: no pacing */
static int n_threads;
static atomic_long n_ok, n_err, n_resumed;
static char cipher[64] = "?", group[32] = "?", sigkey[32] = "?";
static pthread_mutex_t info_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t stop;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_signal(int sig) { (void)sig; stop = 1; }

static SSL_CTX *make_ctx(const char *alpn_proto) {
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (!c) return NULL;
    SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
    if (SSL_CTX_set_ciphersuites(c, "TLS_AES_128_GCM_SHA256") != 1) return NULL;
    if (SSL_CTX_set1_groups_list(c, "X25519") != 1) return NULL;
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL); /* self-signed test certificates */
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    unsigned char alpn[32];
    size_t len = strlen(alpn_proto);
    alpn[0] = (unsigned char)len;
    memcpy(alpn + 1, alpn_proto, len);
    SSL_CTX_set_alpn_protos(c, alpn, (unsigned int)len + 1);
    return c;
}

static int open_socket(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void record_info(SSL *ssl) {
    pthread_mutex_lock(&info_lock);
    if (cipher[0] == '?') {
        snprintf(cipher, sizeof cipher, "%s", SSL_get_cipher_name(ssl));
        int g = SSL_get_negotiated_group(ssl);
        const char *gn = OBJ_nid2sn(g);
        snprintf(group, sizeof group, "%s", gn ? gn : "?");
        X509 *peer = SSL_get1_peer_certificate(ssl);
        if (peer) {
            EVP_PKEY *pk = X509_get0_pubkey(peer);
            const char *tn = pk ? EVP_PKEY_get0_type_name(pk) : NULL;
            snprintf(sigkey, sizeof sigkey, "%s", tn ? tn : "?");
            X509_free(peer);
        }
    }
    pthread_mutex_unlock(&info_lock);
}

static int read_response(SSL *ssl);

/* One full-handshake connection with one request; 1 on success. The client closes first (after
 * reading the whole response), so TIME_WAIT stays on the client side where the kernel reuses it
 * safely on loopback (tcp_tw_reuse); a server-side TIME_WAIT makes some later SYNs wait 1 s. */
static int one_connection(void) {
    int fd = open_socket();
    if (fd < 0) return 0;
    SSL *ssl = SSL_new(ctx);
    int ok = 0;
    if (!ssl) goto out;
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) goto out;
    if (SSL_session_reused(ssl)) atomic_fetch_add(&n_resumed, 1);
    record_info(ssl);
    size_t rlen = strlen(request);
    if (SSL_write(ssl, request, (int)rlen) != (int)rlen) goto out;
    ok = read_response(ssl);
    ERR_clear_error();
    if (ok) SSL_shutdown(ssl);
out:
    if (ssl) SSL_free(ssl);
    close(fd);
    return ok;
}

static void *rate_worker(void *arg) {
    /* Paced threads start staggered, each at its own fixed schedule (no catching up in bursts). */
    double next = now() + pace_interval * (double)(long)arg / n_threads;
    while (now() < deadline && !stop) {
        if (pace_interval > 0) {
            double t = now();
            if (t < next) {
                double d = next - t;
                if (t + d > deadline) break;
                usleep((useconds_t)(d * 1e6));
                continue; /* re-check deadline and stop */
            }
            next += pace_interval;
            if (next < t) next = t + pace_interval;
        }
        if (one_connection())
            atomic_fetch_add(&n_ok, 1);
        else
            atomic_fetch_add(&n_err, 1);
    }
    return NULL;
}

/* Reads one HTTP/1.1 response with Content-Length or chunked body. 1 on a 200. */
static int read_response(SSL *ssl) {
    static __thread char buf[1 << 16];
    size_t got = 0;
    char *hdr_end = NULL;
    while (!hdr_end) {
        if (got >= sizeof buf - 1) return 0;
        int r = SSL_read(ssl, buf + got, (int)(sizeof buf - 1 - got));
        if (r <= 0) return 0;
        got += (size_t)r;
        buf[got] = 0;
        hdr_end = strstr(buf, "\r\n\r\n");
    }
    int status_ok = memcmp(buf, "HTTP/1.1 200", 12) == 0;
    size_t head = (size_t)(hdr_end + 4 - buf);
    long clen = -1;
    int chunked = 0;
    for (char *p = buf; p < hdr_end;) {
        char *le = strstr(p, "\r\n");
        if (!le) break;
        if (strncasecmp(p, "content-length:", 15) == 0) clen = atol(p + 15);
        if (strncasecmp(p, "transfer-encoding:", 18) == 0) {
            char *c = strcasestr(p, "chunked");
            if (c && c < le) chunked = 1;
        }
        p = le + 2;
    }
    if (clen >= 0) {
        long left = clen - (long)(got - head);
        while (left > 0) {
            char tmp[16384];
            int r = SSL_read(ssl, tmp, left < (long)sizeof tmp ? (int)left : (int)sizeof tmp);
            if (r <= 0) return 0;
            left -= r;
        }
        return status_ok;
    }
    if (chunked) {
        /* Small responses only: read until the terminating zero-length chunk. */
        size_t body = got - head;
        memmove(buf, buf + head, body);
        buf[body] = 0;
        while (!strstr(buf, "0\r\n\r\n")) {
            if (body >= sizeof buf - 1) return 0;
            int r = SSL_read(ssl, buf + body, (int)(sizeof buf - 1 - body));
            if (r <= 0) return 0;
            body += (size_t)r;
            buf[body] = 0;
        }
        return status_ok;
    }
    return 0;
}

static int parse_target(const char *host, const char *port) {
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(port));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return 0;
    /* Loopback only: 127.0.0.0/8. */
    return (ntohl(addr.sin_addr.s_addr) >> 24) == 127;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (argc >= 7 && strcmp(argv[1], "rate") == 0) {
        if (!parse_target(argv[2], argv[3])) { fprintf(stderr, "target must be a 127.x.x.x address\n"); return 2; }
        double secs = atof(argv[4]);
        int threads = atoi(argv[5]);
        double rate = argc >= 8 ? atof(argv[7]) : 0;
        if (secs <= 0 || secs > 86400 || threads < 1 || threads > 256 || rate < 0) { fprintf(stderr, "bad arguments\n"); return 2; }
        n_threads = threads;
        pace_interval = rate > 0 ? threads / rate : 0;
        snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: tlsload\r\n\r\n", argv[6]);
        ctx = make_ctx("http/1.1");
        if (!ctx) { ERR_print_errors_fp(stderr); return 1; }
        pthread_t t[256];
        double start = now();
        deadline = start + secs;
        for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, rate_worker, (void *)i);
        for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
        double el = now() - start;
        long ok = atomic_load(&n_ok);
        printf("conns=%ld errors=%ld resumed=%ld secs=%.3f rate=%.1f cipher=%s group=%s sig=%s\n", ok,
               atomic_load(&n_err), atomic_load(&n_resumed), el, ok / el, cipher, group, sigkey);
        return 0;
    }
    if (argc >= 6 && strcmp(argv[1], "hold") == 0) {
        if (!parse_target(argv[2], argv[3])) { fprintf(stderr, "target must be a 127.x.x.x address\n"); return 2; }
        int count = atoi(argv[4]);
        double secs = atof(argv[5]);
        if (count < 1 || count > 60000 || secs <= 0 || secs > 86400) { fprintf(stderr, "bad arguments\n"); return 2; }
        snprintf(request, sizeof request, "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: tlsload\r\n\r\n");
        ctx = make_ctx("http/1.1");
        if (!ctx) { ERR_print_errors_fp(stderr); return 1; }
        SSL **ssls = calloc((size_t)count, sizeof *ssls);
        int *fds = calloc((size_t)count, sizeof *fds);
        int held = 0, errors = 0;
        double end = now() + secs;
        for (int i = 0; i < count && !stop && now() < end; i++) {
            int fd = open_socket();
            if (fd < 0) { errors++; continue; }
            SSL *ssl = SSL_new(ctx);
            SSL_set_fd(ssl, fd);
            size_t rlen = strlen(request);
            if (SSL_connect(ssl) == 1 && SSL_write(ssl, request, (int)rlen) == (int)rlen && read_response(ssl)) {
                ssls[held] = ssl;
                fds[held] = fd;
                held++;
            } else {
                errors++;
                ERR_clear_error();
                SSL_free(ssl);
                close(fd);
            }
        }
        printf("held=%d errors=%d\n", held, errors);
        fflush(stdout);
        while (!stop && now() < end) usleep(50000);
        for (int i = 0; i < held; i++) {
            SSL_shutdown(ssls[i]);
            SSL_free(ssls[i]);
            close(fds[i]);
        }
        return 0;
    }
    fprintf(stderr, "usage: tlsload rate HOST PORT SECONDS THREADS PATH [RATE] | tlsload hold HOST PORT COUNT SECONDS\n");
    return 2;
}
