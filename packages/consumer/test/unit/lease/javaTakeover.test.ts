import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';
import { describeJavaTakeover } from '../../contract/javaTakeoverContract.js';

describeJavaTakeover('InMemoryLeaseStore', () => {
  const store = new InMemoryLeaseStore();
  return Promise.resolve({
    store,
    putRawItem: (item) => Promise.resolve(store.putRawItem(item)),
    getRawItem: (leaseKey) => Promise.resolve(store.getRawItem(leaseKey)),
  });
});
