import { KeySlots } from './key-slots';

describe('KeySlots', () => {
  it('gives each key up to its maximum, and a slot back once per release', () => {
    const slots = new KeySlots();
    const first = slots.take('a', 2)!;
    const second = slots.take('a', 2)!;
    expect(slots.take('a', 2)).toBeNull();
    expect(slots.take('b', 2)).not.toBeNull(); // keys are counted apart
    first();
    first(); // a second call gives nothing more back
    expect(slots.take('a', 2)).not.toBeNull();
    expect(slots.take('a', 2)).toBeNull();
    second();
    expect(slots.take('a', 2)).not.toBeNull();
  });
});
