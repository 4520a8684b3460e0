import { libraryBuild } from "@credkit/tsdown-config"
import { defineConfig } from "tsdown"

export default defineConfig(libraryBuild())
