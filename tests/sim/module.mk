# tests/sim/: the ledger simulator. sim.py drives the real chopay-server
# and a reference model of the ledger with the same seeded events and
# compares them after every step (tests/sim/README.md).
#
#   make sim SEEDS=1000              seeds 1..1000 in 2 workers
#   make sim SEEDS=500 SIM_ONLY=intents,webhooks,cash SIM_STEPS=60

SEEDS ?= 200
SIM_JOBS ?= 2
SIM_STEPS ?= 40
SIM_ONLY ?=

# A fixed set of seeds as part of `make check` (tests/run.sh reads its
# closing "N passed, N failed" line).
TESTS += tests/sim/test_sim.sh

.PHONY: sim
sim: $(BUILD)/bin/chopay-server
	python3 tests/sim/sim.py --server $(BUILD)/bin/chopay-server \
	  --seeds 1-$(SEEDS) --jobs $(SIM_JOBS) --steps $(SIM_STEPS) \
	  $(if $(SIM_ONLY),--only $(SIM_ONLY))
