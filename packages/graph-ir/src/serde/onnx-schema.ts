// The ONNX protobuf schema (onnx.proto, IR version 10 fields that this IR uses), as a protobufjs
// JSON descriptor. Field numbers follow onnx/onnx.proto. Training info and device configurations
// are not read.
import Long from 'long';
import protobuf from 'protobufjs/light.js';

const repeated = (type: string, id: number, packed?: boolean) => ({
  rule: 'repeated',
  type,
  id,
  ...(packed === undefined ? {} : { options: { packed } }),
});
const field = (type: string, id: number) => ({ type, id });

const descriptor = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: { fields: { key: field('string', 1), value: field('string', 2) } },
        OperatorSetIdProto: { fields: { domain: field('string', 1), version: field('int64', 2) } },
        TensorAnnotation: {
          fields: {
            tensorName: field('string', 1),
            quantParameterTensorNames: repeated('StringStringEntryProto', 2),
          },
        },
        AttributeProto: {
          fields: {
            name: field('string', 1),
            refAttrName: field('string', 21),
            docString: field('string', 13),
            type: field('int32', 20),
            f: field('float', 2),
            i: field('int64', 3),
            s: field('bytes', 4),
            t: field('TensorProto', 5),
            g: field('GraphProto', 6),
            sparseTensor: field('SparseTensorProto', 22),
            tp: field('TypeProto', 14),
            floats: repeated('float', 7, false),
            ints: repeated('int64', 8, false),
            strings: repeated('bytes', 9),
            tensors: repeated('TensorProto', 10),
            graphs: repeated('GraphProto', 11),
            sparseTensors: repeated('SparseTensorProto', 23),
            typeProtos: repeated('TypeProto', 15),
          },
        },
        ValueInfoProto: {
          fields: {
            name: field('string', 1),
            type: field('TypeProto', 2),
            docString: field('string', 3),
            metadataProps: repeated('StringStringEntryProto', 4),
          },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: field('string', 3),
            opType: field('string', 4),
            domain: field('string', 7),
            overload: field('string', 8),
            attribute: repeated('AttributeProto', 5),
            docString: field('string', 6),
            metadataProps: repeated('StringStringEntryProto', 9),
          },
        },
        ModelProto: {
          fields: {
            irVersion: field('int64', 1),
            opsetImport: repeated('OperatorSetIdProto', 8),
            producerName: field('string', 2),
            producerVersion: field('string', 3),
            domain: field('string', 4),
            modelVersion: field('int64', 5),
            docString: field('string', 6),
            graph: field('GraphProto', 7),
            metadataProps: repeated('StringStringEntryProto', 14),
            functions: repeated('FunctionProto', 25),
          },
        },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: field('string', 2),
            initializer: repeated('TensorProto', 5),
            sparseInitializer: repeated('SparseTensorProto', 15),
            docString: field('string', 10),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
            valueInfo: repeated('ValueInfoProto', 13),
            quantizationAnnotation: repeated('TensorAnnotation', 14),
            metadataProps: repeated('StringStringEntryProto', 16),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1, false),
            dataType: field('int32', 2),
            segment: field('Segment', 3),
            floatData: repeated('float', 4, true),
            int32Data: repeated('int32', 5, true),
            stringData: repeated('bytes', 6),
            int64Data: repeated('int64', 7, true),
            name: field('string', 8),
            docString: field('string', 12),
            rawData: field('bytes', 9),
            externalData: repeated('StringStringEntryProto', 13),
            dataLocation: field('int32', 14),
            doubleData: repeated('double', 10, true),
            uint64Data: repeated('uint64', 11, true),
            metadataProps: repeated('StringStringEntryProto', 16),
          },
          nested: { Segment: { fields: { begin: field('int64', 1), end: field('int64', 2) } } },
        },
        SparseTensorProto: {
          fields: {
            values: field('TensorProto', 1),
            indices: field('TensorProto', 2),
            dims: repeated('int64', 3, false),
          },
        },
        TensorShapeProto: {
          fields: { dim: repeated('Dimension', 1) },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: {
                dimValue: field('int64', 1),
                dimParam: field('string', 2),
                denotation: field('string', 3),
              },
            },
          },
        },
        TypeProto: {
          oneofs: {
            value: { oneof: ['tensorType', 'sequenceType', 'mapType', 'optionalType', 'sparseTensorType'] },
          },
          fields: {
            tensorType: field('Tensor', 1),
            sequenceType: field('Sequence', 4),
            mapType: field('Map', 5),
            optionalType: field('Optional', 9),
            sparseTensorType: field('SparseTensor', 8),
            denotation: field('string', 6),
          },
          nested: {
            Tensor: { fields: { elemType: field('int32', 1), shape: field('TensorShapeProto', 2) } },
            Sequence: { fields: { elemType: field('TypeProto', 1) } },
            Map: { fields: { keyType: field('int32', 1), valueType: field('TypeProto', 2) } },
            Optional: { fields: { elemType: field('TypeProto', 1) } },
            SparseTensor: { fields: { elemType: field('int32', 1), shape: field('TensorShapeProto', 2) } },
          },
        },
        FunctionProto: {
          fields: {
            name: field('string', 1),
            input: repeated('string', 4),
            output: repeated('string', 5),
            attribute: repeated('string', 6),
            attributeProto: repeated('AttributeProto', 11),
            node: repeated('NodeProto', 7),
            docString: field('string', 8),
            opsetImport: repeated('OperatorSetIdProto', 9),
            domain: field('string', 10),
            overload: field('string', 13),
            valueInfo: repeated('ValueInfoProto', 12),
            metadataProps: repeated('StringStringEntryProto', 14),
          },
        },
      },
    },
  },
};

// int64 fields must decode to Long (exact), not to lossy JS numbers.
protobuf.util.Long = Long;
protobuf.configure();

const root = protobuf.Root.fromJSON(descriptor);

export const ModelProto = root.lookupType('onnx.ModelProto');
export const GraphProto = root.lookupType('onnx.GraphProto');
export const TensorProto = root.lookupType('onnx.TensorProto');
export const NodeProto = root.lookupType('onnx.NodeProto');
export const TypeProto = root.lookupType('onnx.TypeProto');
export const FunctionProto = root.lookupType('onnx.FunctionProto');
export const TensorAnnotation = root.lookupType('onnx.TensorAnnotation');

/** ONNX AttributeProto.AttributeType codes. */
export const ATTRIBUTE_TYPE = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
  tensors: 9,
  graphs: 10,
  sparse_tensor: 11,
  sparse_tensors: 12,
  type_proto: 13,
  type_protos: 14,
} as const;

/** Field numbers and wire types used by the streaming writer. */
export const WIRE = { GRAPH_IN_MODEL: 7, INITIALIZER_IN_GRAPH: 5, RAW_DATA_IN_TENSOR: 9 } as const;

export { Long, protobuf };
