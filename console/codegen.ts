import type { CodegenConfig } from "@graphql-codegen/cli";

// TypeScript types of the console's GraphQL documents, from the server's own
// schema (graph/schema). CI runs `npm run codegen` and fails on a diff.
const config: CodegenConfig = {
  schema: "../graph/schema/*.graphqls",
  documents: ["src/**/*.tsx", "src/**/*.ts", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Time: "string", Int64: "number", Upload: "File" },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};
export default config;
