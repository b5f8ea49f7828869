/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm.h — cairn-dm's core: guest memory, PCI, virtio-pci, split virtqueues,
 * devices and the transport interface. Prefixes: dm_gm_ (guest memory),
 * dm_pci_ (bus and config space), dm_vq_ (virtqueues), dm_vio_ (virtio-pci),
 * dm_loop_ (event loop), dm_transport_ (ops).
 *
 * Everything here is transport-independent: a request (PIO/MMIO, read/write)
 * enters through dm_io(), interrupts leave through the bus's MSI callback.
 * Single-threaded: every function runs on the main loop's thread.
 */
#ifndef CAIRN_DM_H
#define CAIRN_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define DM_LOG(fmt, ...) dm_log("%s: " fmt, __func__, ##__VA_ARGS__)
void dm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- guest memory ---------------------------------------------------- */

#define DM_GM_MAX_REGIONS 8

struct dm_gm_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
};

/* Guest-physical ranges mapped into this process. */
struct dm_guest_mem {
	unsigned nr;
	struct dm_gm_region r[DM_GM_MAX_REGIONS];
};

int dm_gm_add(struct dm_guest_mem *gm, uint64_t gpa, uint64_t size, void *host);
/* Host pointer for [gpa, gpa+len) if it lies wholly inside one region, else NULL. */
void *dm_gm_ptr(const struct dm_guest_mem *gm, uint64_t gpa, uint64_t len);
int dm_gm_read(const struct dm_guest_mem *gm, uint64_t gpa, void *buf, uint64_t len);
int dm_gm_write(const struct dm_guest_mem *gm, uint64_t gpa, const void *buf, uint64_t len);

/* ---- split virtqueues ------------------------------------------------ */

#define DM_VQ_MAX_SIZE 256
#define DM_VQ_MAX_IOV  (2 * DM_VQ_MAX_SIZE)

struct dm_vq {
	uint16_t size;          /* entries, a power of two <= DM_VQ_MAX_SIZE */
	bool enabled;
	bool event_idx;         /* VIRTIO_RING_F_EVENT_IDX negotiated */
	uint16_t msix_vector;
	uint64_t desc, avail, used; /* guest-physical */
	uint16_t last_avail;    /* next avail entry to consume */
	uint16_t used_idx;      /* our copy of used->idx */
	uint16_t signalled;     /* used_idx at the last interrupt */
};

/* One guest buffer, already checked against guest memory. */
struct dm_vq_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;             /* device writes into it */
	void *host;
};

struct dm_vq_chain {
	uint16_t head;
	unsigned nr;            /* buffers in buf[] */
	unsigned nr_out;        /* the first nr_out are device-readable */
	uint64_t out_len, in_len;
	struct dm_vq_buf buf[DM_VQ_MAX_IOV];
};

/* Returns 1 with a chain, 0 when the ring is empty, -EINVAL when the guest broke it. */
int dm_vq_pop(struct dm_vq *vq, const struct dm_guest_mem *gm, struct dm_vq_chain *c);
int dm_vq_push(struct dm_vq *vq, const struct dm_guest_mem *gm, uint16_t head, uint32_t len);
void dm_vq_unpop(struct dm_vq *vq, const struct dm_guest_mem *gm, uint16_t n);
/* Whether the driver wants an interrupt for what was pushed since the last one. */
bool dm_vq_need_notify(struct dm_vq *vq, const struct dm_guest_mem *gm);
bool dm_vq_layout_ok(const struct dm_vq *vq, const struct dm_guest_mem *gm);
/* Copy helpers over a chain's device-readable / device-writable parts. */
size_t dm_vq_copy_from(const struct dm_vq_chain *c, size_t off, void *dst, size_t len);
size_t dm_vq_copy_to(const struct dm_vq_chain *c, size_t off, const void *src, size_t len);
/* Host address of byte off of the chain's device-writable part, or NULL. */
void *dm_vq_in_byte(const struct dm_vq_chain *c, uint64_t off);

/* ---- PCI ------------------------------------------------------------- */

#define DM_PCI_MMIO_BASE 0xe0000000ull /* window for memory BARs */
#define DM_PCI_MMIO_SIZE 0x10000000ull
#define DM_PCI_MAX_DEVS  32
#define DM_PCI_MSIX_MAX  16

struct dm_pci_dev;

struct dm_pci_bar_ops {
	uint64_t (*read)(struct dm_pci_dev *d, int bar, uint64_t off, unsigned size);
	void (*write)(struct dm_pci_dev *d, int bar, uint64_t off, unsigned size, uint64_t val);
};

struct dm_pci_bar {
	uint32_t size;          /* 0 = not implemented; memory BARs only, 32-bit */
	const struct dm_pci_bar_ops *ops;
};

struct dm_pci_bus;

struct dm_pci_dev {
	const char *name;
	struct dm_pci_bus *bus;
	uint8_t slot;
	uint8_t cfg[256];
	uint8_t wmask[256];     /* bits the guest may write */
	uint8_t cap_next;       /* where the next capability goes */
	struct dm_pci_bar bar[6];
	/* MSI-X, when msix_cap != 0 */
	uint8_t msix_cap;
	int msix_bar;
	uint16_t msix_nr;
	uint32_t msix_table[DM_PCI_MSIX_MAX][4];
	uint64_t msix_pending;
	void *opaque;
};

typedef void dm_msi_fn(void *arg, uint64_t addr, uint32_t data);

struct dm_pci_bus {
	uint32_t cf8;
	uint32_t mmio_next;
	struct dm_pci_dev host;
	struct dm_pci_dev *dev[DM_PCI_MAX_DEVS];
	dm_msi_fn *msi;
	void *msi_arg;
};

void dm_pci_bus_init(struct dm_pci_bus *bus, dm_msi_fn *msi, void *arg);
int dm_pci_add(struct dm_pci_bus *bus, struct dm_pci_dev *d, uint16_t vendor,
	       uint16_t device, uint32_t class_rev);
int dm_pci_add_bar(struct dm_pci_dev *d, int bar, uint32_t size, const struct dm_pci_bar_ops *ops);
/* Appends a capability of len bytes (id and next filled in); returns its offset or 0. */
uint8_t dm_pci_add_cap(struct dm_pci_dev *d, uint8_t id, const void *body, uint8_t len);
int dm_pci_add_msix(struct dm_pci_dev *d, int bar, uint16_t nr);
void dm_pci_msix_notify(struct dm_pci_dev *d, uint16_t vector);
/* Port and MMIO entry points; return false when nothing claims the access. */
bool dm_pci_pio(struct dm_pci_bus *bus, bool write, uint16_t port, unsigned size, uint64_t *val);
bool dm_pci_mmio(struct dm_pci_bus *bus, bool write, uint64_t addr, unsigned size, uint64_t *val);

/* ---- virtio-pci (modern) -------------------------------------------- */

#define DM_VIO_MAX_QUEUES 4

/* Feature bits we use. */
#define VIRTIO_F_VERSION_1        32
#define VIRTIO_F_RING_EVENT_IDX   29
#define VIRTIO_F_RING_INDIRECT    28
#define VIRTIO_STATUS_ACK         1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED      128

struct dm_vio;

struct dm_vio_ops {
	const char *name;
	uint16_t device_id;     /* virtio device type: 1 net, 2 blk, 3 console */
	unsigned nr_queues;
	uint32_t cfg_size;
	void (*cfg_read)(struct dm_vio *v, uint32_t off, void *buf, unsigned size);
	void (*cfg_write)(struct dm_vio *v, uint32_t off, const void *buf, unsigned size);
	void (*notify)(struct dm_vio *v, unsigned q);
	void (*features_ok)(struct dm_vio *v);
	void (*reset)(struct dm_vio *v);
};

struct dm_vio {
	struct dm_pci_dev pci;
	const struct dm_vio_ops *ops;
	const struct dm_guest_mem *gm;
	uint64_t host_features, guest_features;
	uint32_t dfsel, gfsel;
	uint16_t msix_config;
	uint16_t qsel;
	uint8_t status;
	uint8_t isr;
	uint8_t cfg_gen;
	bool broken;
	unsigned nr_broken;     /* how many times the guest broke this device */
	struct dm_vq vq[DM_VIO_MAX_QUEUES];
	void *dev;              /* the device's own state */
};

int dm_vio_init(struct dm_vio *v, struct dm_pci_bus *bus, const struct dm_vio_ops *ops,
		const struct dm_guest_mem *gm, uint64_t features, void *dev);
bool dm_vio_running(const struct dm_vio *v);
/* The guest violated the protocol: DEVICE_NEEDS_RESET, stop the queues, config interrupt. */
void dm_vio_broken(struct dm_vio *v, const char *why);
/* Interrupts the driver for q if the ring's suppression rules allow it. */
void dm_vio_notify_queue(struct dm_vio *v, unsigned q);
bool dm_vio_has(const struct dm_vio *v, unsigned bit);

/* ---- event loop ----------------------------------------------------- */

typedef void dm_loop_fn(void *arg, uint32_t events);

int dm_loop_init(void);
int dm_loop_add(int fd, uint32_t events, dm_loop_fn *fn, void *arg);
int dm_loop_mod(int fd, uint32_t events, dm_loop_fn *fn, void *arg);
void dm_loop_del(int fd);
int dm_loop_run(void);
void dm_loop_stop(int rc);
int dm_loop_fd(void);

/* ---- devices --------------------------------------------------------- */

struct dm_blk_conf {
	const char *path;
	bool ro;
	bool sync;              /* no io_uring: preadv/pwritev on the main loop */
};
struct dm_net_conf {
	const char *tap;
	uint8_t mac[6];
};
struct dm_con_conf {
	int in_fd, out_fd;
};

/* Open backends (before privileges are dropped); add the PCI functions later. */
struct dm_blk *dm_blk_open(const struct dm_blk_conf *c);
int dm_blk_attach(struct dm_blk *b, struct dm_pci_bus *bus, const struct dm_guest_mem *gm);
void dm_blk_fds(const struct dm_blk *b, int *fds, unsigned *n);
void dm_blk_close(struct dm_blk *b);
struct dm_vio *dm_blk_vio(struct dm_blk *b);

struct dm_net *dm_net_open(const struct dm_net_conf *c);
int dm_net_attach(struct dm_net *n, struct dm_pci_bus *bus, const struct dm_guest_mem *gm);
void dm_net_fds(const struct dm_net *n, int *fds, unsigned *nr);
struct dm_vio *dm_net_vio(struct dm_net *n);

struct dm_con *dm_con_open(const struct dm_con_conf *c);
int dm_con_attach(struct dm_con *k, struct dm_pci_bus *bus, const struct dm_guest_mem *gm);
void dm_con_fds(const struct dm_con *k, int *fds, unsigned *nr);
void dm_con_close(struct dm_con *k);

/* ---- the machine and its transport ---------------------------------- */

struct dm_machine {
	struct dm_guest_mem gm;
	struct dm_pci_bus bus;
	const struct dm_transport_ops *tr;
	void *tr_state;
};

/* One I/O access from the guest. Unclaimed reads return all-ones, writes are dropped. */
void dm_io(struct dm_machine *m, bool mmio, bool write, uint64_t addr, unsigned size,
	   uint64_t *val);

struct dm_transport_ops {
	const char *name;
	/* Before privileges are dropped: open whatever the transport needs. */
	int (*open)(struct dm_machine *m, const char *arg);
	/* Register with the loop; called after privileges are dropped. */
	int (*start)(struct dm_machine *m);
	void (*msi)(struct dm_machine *m, uint64_t addr, uint32_t data);
	void (*fds)(struct dm_machine *m, int *fds, unsigned *nr);
};

extern const struct dm_transport_ops dm_transport_test;

/* The allow list of system calls once serving (seccomp.c); needs NO_NEW_PRIVS. */
int dm_seccomp_install(void);

struct cairn_ioreq_page;
/*
 * Serves the posted ring and every READY slot of an ioreq page (ioreq.h);
 * *done gets a bit per vCPU whose slot is now DONE and must be completed with
 * CAIRN_HC_IOREQ_COMPLETE. -EPROTO: the page is not a valid ioreq page.
 */
int dm_ioreq_service(struct dm_machine *m, struct cairn_ioreq_page *page, uint64_t *done);

#endif /* CAIRN_DM_H */
