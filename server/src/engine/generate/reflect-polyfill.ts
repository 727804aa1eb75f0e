// @peculiar/x509 depends on tsyringe, which refuses to load unless a Reflect metadata polyfill
// (normally the `reflect-metadata` package) is installed first. tsyringe only needs
// getMetadata/getOwnMetadata/defineMetadata for constructor parameter types, which the esbuild
// output never emits, so a small WeakMap-backed implementation is enough. It installs itself only
// when nothing else has (a real `reflect-metadata` loaded earlier wins).
//
// Import this module before '@peculiar/x509' (./x509.ts does); import order is evaluation order
// in the CommonJS bundle.

type MetadataMap = Map<unknown, unknown>;

const store = new WeakMap<object, Map<PropertyKey | undefined, MetadataMap>>();

function metadataMap(target: object, property: PropertyKey | undefined, create: boolean): MetadataMap | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let map = byProperty.get(property);
  if (!map && create) {
    map = new Map();
    byProperty.set(property, map);
  }
  return map;
}

function getOwnMetadata(key: unknown, target: object, property?: PropertyKey): unknown {
  return metadataMap(target, property, false)?.get(key);
}

function getMetadata(key: unknown, target: object, property?: PropertyKey): unknown {
  for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
    const map = metadataMap(t, property, false);
    if (map?.has(key)) return map.get(key);
  }
  return undefined;
}

function defineMetadata(key: unknown, value: unknown, target: object, property?: PropertyKey): void {
  metadataMap(target, property, true)!.set(key, value);
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  R.getMetadata = getMetadata;
  R.getOwnMetadata = getOwnMetadata;
  R.defineMetadata = defineMetadata;
  R.hasMetadata = (key: unknown, target: object, property?: PropertyKey) => getMetadata(key, target, property) !== undefined;
  R.hasOwnMetadata = (key: unknown, target: object, property?: PropertyKey) => metadataMap(target, property, false)?.has(key) ?? false;
  R.metadata = (key: unknown, value: unknown) => (target: object, property?: PropertyKey) => defineMetadata(key, value, target, property);
}

export {};
