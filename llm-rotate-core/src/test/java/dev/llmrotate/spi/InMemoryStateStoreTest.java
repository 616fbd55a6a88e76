package dev.llmrotate.spi;

/** The in-memory store against the whole StateStore contract. */
class InMemoryStateStoreTest extends StateStoreContract {
    @Override
    protected StateStore newStore() {
        return new InMemoryStateStore();
    }
}
