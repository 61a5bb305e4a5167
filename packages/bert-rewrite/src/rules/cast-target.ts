import { DATA_TYPES, type DataType, type Node, onnxDataTypeCode } from '@bert-neuron/graph-ir';

const BY_CODE = new Map<number, DataType>(DATA_TYPES.map((d) => [onnxDataTypeCode(d), d]));

/** The element type a Cast node converts to, when it is one the IR knows. */
export function castTarget(node: Node): DataType | undefined {
  const to = node.attributes.get('to');
  return to?.type === 'int' ? BY_CODE.get(Number(to.value)) : undefined;
}
