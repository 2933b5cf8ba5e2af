# SPDX-License-Identifier: GPL-2.0-only
#
# vtd-nest: out-of-tree VT-d 3.0 scalable-mode IOMMU modules.
#
#   make                      build the modules (see KDIR below)
#   make check                build, boot the emulated VT-d host, run all tests
#   make run                  the demonstration on the emulated VT-d host
#   make bench                page-table benchmark against generic_pt
#   make vm CMD='...'         run a command in the test VM (KERNEL=debug|fast,
#                             PEER=1 boots with the in-kernel intel_iommu)
#   make lint                 checkpatch --strict, sparse (C=1) and W=1
#   make modules_install      install into /lib/modules/<KDIR's version>
#
# KDIR defaults to the project's test kernel (fast variant) when it has been
# built, else to the running kernel's build tree. On a real host:
#   make KDIR=/lib/modules/$(uname -r)/build

KERNEL ?= fast
VTD_KDIR := $(shell scripts/kernel-dir.sh $(KERNEL) 2>/dev/null)

ifeq ($(KDIR),)
ifneq ($(VTD_KDIR),)
KDIR := $(VTD_KDIR)
endif
endif
KDIR ?= /lib/modules/$(shell uname -r)/build

# The project's kernels need trixie's compiler: build them inside the root.
ifeq ($(KDIR),$(VTD_KDIR))
IN_ROOT := scripts/in-root.sh
MO := $(CURDIR)/.build/$(KERNEL)
else
MO := $(CURDIR)/.build/host
endif

KMAKE = $(IN_ROOT) $(MAKE) -C $(KDIR) M=$(CURDIR) MO=$(MO)

.PHONY: all modules modules_install clean check run bench vm lint kernels

all: modules

modules:
	@mkdir -p $(MO)
	$(KMAKE) modules

modules_install: modules
	$(KMAKE) modules_install

clean:
	rm -rf .build
	$(MAKE) -C tools/testing/selftests/vtd-nest clean 2>/dev/null || true

kernels:
	scripts/build-kernel.sh debug
	scripts/build-kernel.sh fast

check:
	scripts/check.sh

run:
	scripts/run.sh

bench:
	scripts/bench.sh

vm:
	scripts/vm.sh --kernel $(KERNEL) $(if $(PEER),--peer) -- "$$CMD"

lint:
	scripts/lint.sh

